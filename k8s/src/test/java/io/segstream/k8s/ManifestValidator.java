package io.segstream.k8s;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates Kubernetes objects without a cluster, strictly: a field Kubernetes would drop is an error.
 *
 * <p>Built-in kinds go through fabric8's Kubernetes model; a field the model does not know lands in an object's
 * {@code additionalProperties}, which must stay empty. Custom resources are checked against the
 * {@code openAPIV3Schema} of their CRD (vendored under {@code crds/}), with {@code additionalProperties: false} added
 * to every object schema that lists its properties and does not preserve unknown fields, as the API server prunes.
 */
final class ManifestValidator {
    private static final List<String> CRDS = List.of("flinkdeployments.yml", "strimzi-040-Crd-kafka.yaml",
            "strimzi-043-Crd-kafkatopic.yaml", "strimzi-044-Crd-kafkauser.yaml", "strimzi-045-Crd-kafkanodepool.yaml");
    private static final Map<String, Class<?>> BUILT_IN = Map.of(
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "v1/ServiceAccount", ServiceAccount.class,
            "v1/PersistentVolumeClaim", PersistentVolumeClaim.class,
            "apps/v1/Deployment", Deployment.class,
            "batch/v1/CronJob", CronJob.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class);

    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    private final Map<String, JsonSchema> schemas = new HashMap<>();

    ManifestValidator() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);
        for (String name : CRDS) {
            try (InputStream in = ManifestValidator.class.getResourceAsStream("/crds/" + name)) {
                JsonNode crd = yaml.readTree(in);
                String group = crd.at("/spec/group").asText();
                String kind = crd.at("/spec/names/kind").asText();
                for (JsonNode version : crd.at("/spec/versions")) {
                    JsonNode schema = version.at("/schema/openAPIV3Schema").deepCopy();
                    // below the root: the root leaves apiVersion, kind and metadata to the API server
                    schema.path("properties").forEach(ManifestValidator::strict);
                    schemas.put(group + "/" + version.get("name").asText() + "/" + kind, factory.getSchema(schema));
                }
            }
        }
    }

    /** What is wrong with {@code object}, one line each, naming kind, name and field; empty when valid. */
    List<String> problems(Map<String, Object> object) {
        String apiVersion = String.valueOf(object.get("apiVersion"));
        String kind = String.valueOf(object.get("kind"));
        String id = kind + " " + Kustomization.name(object);
        JsonSchema schema = schemas.get(apiVersion + "/" + kind);
        List<String> problems = new ArrayList<>();
        if (schema != null) {
            for (ValidationMessage m : schema.validate(json.valueToTree(object))) {
                problems.add(id + ": " + m.getMessage());
            }
            return problems;
        }
        Class<?> type = BUILT_IN.get(apiVersion + "/" + kind);
        if (type == null) {
            return List.of(id + ": no schema for " + apiVersion + " " + kind + " (known: " + schemas.keySet() + ", "
                    + BUILT_IN.keySet() + ")");
        }
        try {
            unknownFields(json.convertValue(object, type), kind, problems, new IdentityHashMap<>());
        } catch (IllegalArgumentException e) {
            return List.of(id + ": " + e.getMessage());
        }
        return problems.stream().map(p -> id + ": unknown field " + p).toList();
    }

    private static void strict(JsonNode node) {
        if (node instanceof ObjectNode o) {
            if (o.has("properties") && !o.has("additionalProperties")
                    && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                o.put("additionalProperties", false);
            }
            o.forEach(ManifestValidator::strict);
        } else if (node != null && node.isArray()) {
            node.forEach(ManifestValidator::strict);
        }
    }

    /** Walks a fabric8 model object and reports every non-empty {@code additionalProperties}, with its path. */
    private static void unknownFields(Object value, String path, List<String> problems, Map<Object, Object> seen) {
        if (value == null || seen.put(value, value) != null) {
            return;
        }
        if (value instanceof Collection<?> c) {
            int i = 0;
            for (Object item : c) {
                unknownFields(item, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, problems, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object field;
            try {
                field = getter.invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + "." + Set.copyOf(extra.keySet()));
                }
            } else {
                String name = getter.getName().substring(3);
                unknownFields(field, path + "." + Character.toLowerCase(name.charAt(0)) + name.substring(1),
                        problems, seen);
            }
        }
    }
}
