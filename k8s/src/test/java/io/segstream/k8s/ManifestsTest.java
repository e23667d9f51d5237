package io.segstream.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.cli.Segstream;
import io.segstream.connectors.kafka.KafkaClientConfigs;
import io.segstream.connectors.kafka.KafkaClientSecurity;
import io.segstream.connectors.kafka.TopicRole;
import io.segstream.core.alerts.AlertRules;
import io.segstream.core.segment.ExecutionProvider;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.inference.InferenceJob;
import io.segstream.inference.InferenceJobOptions;
import io.segstream.ingest.camera.CamerasConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifests under {@code k8s/}, rendered per overlay and checked without a cluster: every object against the
 * Kubernetes model or its CRD's schema, and every argument, topic, rules and cameras file against the code that
 * reads it.
 */
class ManifestsTest {
    private static final Path OVERLAYS = Path.of("overlays");
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|secret|access-key|token).*");
    private static ManifestValidator validator;

    @BeforeAll
    static void loadSchemas() throws IOException {
        validator = new ManifestValidator();
    }

    private static List<Map<String, Object>> render(String overlay) throws IOException {
        return Kustomization.render(OVERLAYS.resolve(overlay));
    }

    private static Map<String, Object> find(List<Map<String, Object>> objects, String kind, String name) {
        return objects.stream().filter(o -> o.get("kind").equals(kind) && Kustomization.name(o).equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    @SuppressWarnings("unchecked")
    private static <T> T at(Object root, String... path) {
        Object node = root;
        for (String key : path) {
            node = key.matches("\\d+") ? ((List<Object>) node).get(Integer.parseInt(key))
                    : ((Map<String, Object>) node).get(key);
        }
        return (T) node;
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu", "site-example"})
    void everyObjectOfEveryOverlayIsValid(String overlay) throws IOException {
        List<Map<String, Object>> objects = render(overlay);
        assertEquals(18, objects.size(), "Kafka, node pool, 5 topics, 4 users, rules, the job, cameras, ingest,"
                + " the data claim, the CronJob and a network policy: " + objects.stream()
                .map(o -> o.get("kind") + "/" + Kustomization.name(o)).toList());
        List<String> problems = new ArrayList<>();
        objects.forEach(o -> problems.addAll(validator.problems(o)));
        assertEquals(List.of(), problems);
        String namespace = overlay.equals("site-example") ? "segstream-line12" : "segstream";
        assertTrue(objects.stream().allMatch(o -> namespace.equals(at(o, "metadata", "namespace"))));
    }

    @Test
    void aWrongFieldNameFailsForCustomAndBuiltInKinds() throws IOException {
        List<Map<String, Object>> objects = render("cpu");
        Map<String, Object> job = find(objects, "FlinkDeployment", "segstream-inference");
        Map<String, Object> spec = at(job, "spec");
        spec.put("jobManger", spec.remove("jobManager"));
        List<String> jobProblems = validator.problems(job);
        assertEquals(1, jobProblems.size(), jobProblems.toString());
        assertTrue(jobProblems.get(0).startsWith("FlinkDeployment segstream-inference: ")
                && jobProblems.get(0).contains("jobManger"), jobProblems.toString());

        Map<String, Object> topic = find(objects, "KafkaTopic", "segstream-frames");
        Map<String, Object> topicSpec = at(topic, "spec");
        topicSpec.put("partition", topicSpec.remove("partitions"));
        assertTrue(validator.problems(topic).toString().contains("partition"), validator.problems(topic).toString());

        Map<String, Object> ingest = find(objects, "Deployment", "segstream-ingest");
        Map<String, Object> container = at(ingest, "spec", "template", "spec", "containers", "0");
        container.put("volumeMount", container.remove("volumeMounts"));
        assertEquals(List.of("Deployment segstream-ingest: unknown field Deployment.spec.template.spec.containers[0]"
                + ".[volumeMount]"), validator.problems(ingest));

        Map<String, Object> cron = find(objects, "CronJob", "segstream-retrain");
        Map<String, Object> cronSpec = at(cron, "spec");
        cronSpec.put("concurrencyPolicy", List.of("Forbid"));
        assertFalse(validator.problems(cron).isEmpty(), "a list where a string belongs");
    }

    @Test
    void theTopicsAreTheCodesTopics() throws IOException {
        List<Map<String, Object>> objects = render("cpu");
        String maxMessageBytes = KafkaClientConfigs.topicSizeLimits().get("max.message.bytes");
        for (TopicRole role : TopicRole.values()) {
            Map<String, Object> topic = objects.stream().filter(o -> o.get("kind").equals("KafkaTopic")
                    && role.defaultName().equals(at(o, "spec", "topicName"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no KafkaTopic for " + role));
            assertEquals(role.defaultPartitions(), (int) at(topic, "spec", "partitions"), role.toString());
            Map<String, String> config = at(topic, "spec", "config");
            role.defaultConfigs().forEach((k, v) -> assertEquals(v, config.get(k), role + " " + k));
            assertEquals(maxMessageBytes, config.get("max.message.bytes"), role.toString());
        }
        Map<String, Object> kafkaConfig = at(find(objects, "Kafka", "segstream"), "spec", "kafka", "config");
        assertEquals(maxMessageBytes, String.valueOf(kafkaConfig.get("message.max.bytes")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu", "site-example"})
    void theJobsArgumentsAndRulesAreOnesTheJobAccepts(String overlay) throws Exception {
        List<Map<String, Object>> objects = render(overlay);
        Map<String, Object> job = find(objects, "FlinkDeployment", "segstream-inference");
        List<String> args = at(job, "spec", "job", "args");
        InferenceJobOptions options = InferenceJobOptions.fromArgs(args.toArray(String[]::new));
        SegmenterOptions segmenter = SegmenterOptions.fromMap(options.segmenterSettings());
        assertEquals("flink-main-container", (String) at(job, "spec", "podTemplate", "spec", "containers", "0",
                "name"));
        assertEquals("v2_1", (String) at(job, "spec", "flinkVersion"));
        assertEquals("last-state", (String) at(job, "spec", "job", "upgradeMode"));
        assertTrue(String.valueOf((Object) at(job, "spec", "job", "jarURI")).startsWith("local:///opt/flink/usrlib/"));
        assertEquals(InferenceJob.class.getName(), (String) at(job, "spec", "job", "entryClass"));

        String rules = options.get(InferenceJobOptions.RULES);
        if (rules.startsWith("/config/rules/")) {
            String yaml = at(find(objects, "ConfigMap", "segstream-rules"), "data",
                    rules.substring("/config/rules/".length()));
            assertFalse(AlertRules.parse(yaml, overlay + " rules").rules().isEmpty());
        } else {
            assertTrue(AlertRules.BUILT_IN.contains(rules), rules);
        }
        if (overlay.equals("gpu")) {
            assertEquals(ExecutionProvider.TENSORRT, segmenter.get(SegmenterOptions.PROVIDER));
            assertEquals(1, (int) at(job, "spec", "taskManager", "podTemplate", "spec", "containers", "0",
                    "resources", "limits", "nvidia.com/gpu"));
        } else {
            assertEquals(ExecutionProvider.CPU, segmenter.get(SegmenterOptions.PROVIDER));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "site-example"})
    void ingestAndRetrainRunCommandsTheCliAcceptsWithTheirFiles(String overlay) throws Exception {
        List<Map<String, Object>> objects = render(overlay);
        List<String> ingestArgs = at(find(objects, "Deployment", "segstream-ingest"),
                "spec", "template", "spec", "containers", "0", "args");
        Segstream.commandLine().parseArgs(ingestArgs.toArray(String[]::new));
        String cameras = at(find(objects, "ConfigMap", "segstream-cameras"), "data", "cameras.yaml");
        int expected = overlay.equals("site-example") ? 2 : 0;
        assertEquals(expected, CamerasConfig.parse(cameras, overlay + " cameras").cameras().size());

        Map<String, Object> cron = find(objects, "CronJob", "segstream-retrain");
        List<String> retrainArgs = at(cron, "spec", "jobTemplate", "spec", "template", "spec", "containers", "0",
                "args");
        Segstream.commandLine().parseArgs(retrainArgs.toArray(String[]::new));
        assertEquals("Forbid", (String) at(cron, "spec", "concurrencyPolicy"));
        assertEquals("Never", (String) at(cron, "spec", "jobTemplate", "spec", "template", "spec", "restartPolicy"));
        assertEquals(List.of(3), (Object) at(cron, "spec", "jobTemplate", "spec", "podFailurePolicy", "rules", "0",
                "onExitCodes", "values"), "exit 3 (gate kept the serving model) is not retried");
    }

    @Test
    void credentialsComeFromSecretsNeverFromCommandLinesOrPlainValues() throws IOException {
        List<String> leaks = new ArrayList<>();
        for (String overlay : List.of("cpu", "gpu", "site-example")) {
            for (Map<String, Object> o : render(overlay)) {
                collectContainers(o, new HashMap<>()).forEach((where, container) -> {
                    List<String> args = at(container, "args");
                    if (args != null) {
                        args.stream().filter(a -> a.matches("(?i).*(password|secret|://[^/@]+:[^/@]+@).*"))
                                .forEach(a -> leaks.add(overlay + " " + where + " argument " + a));
                    }
                    List<Map<String, Object>> env = at(container, "env");
                    if (env != null) {
                        env.stream().filter(e -> SECRET_NAME.matcher(String.valueOf(e.get("name"))).matches()
                                        && !(e.get("valueFrom") instanceof Map<?, ?> from
                                                && from.get("secretKeyRef") != null)
                                        && !namesAMountedSecretFile(o, container, e))
                                .forEach(e -> leaks.add(overlay + " " + where + " env " + e.get("name")));
                    }
                });
            }
        }
        assertEquals(List.of(), leaks);
    }

    /** Whether {@code env} is a {@code *_FILE} variable naming a file of a Secret mounted into {@code container}. */
    private static boolean namesAMountedSecretFile(Map<String, Object> object, Map<String, Object> container,
            Map<String, Object> env) {
        return String.valueOf(env.get("name")).endsWith("_FILE") && env.get("value") != null
                && secretMountedAt(object, container, Path.of(String.valueOf(env.get("value"))).getParent()) != null;
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu", "site-example"})
    void kafkaClientsAuthenticateAsTheirKafkaUsersWithTheMountedSecrets(String overlay, @TempDir Path mounts)
            throws IOException {
        List<Map<String, Object>> objects = render(overlay);
        Map<String, Object> job = find(objects, "FlinkDeployment", "segstream-inference");
        Map<String, Object> ingest = find(objects, "Deployment", "segstream-ingest");
        Map<String, Object> retrain = find(objects, "CronJob", "segstream-retrain");
        assertEquals("segstream-inference", kafkaUser(objects, job, at(job, "spec", "podTemplate", "spec",
                "containers", "0"), at(job, "spec", "job", "args"), mounts.resolve("job")));
        Map<String, Object> ingestContainer = at(ingest, "spec", "template", "spec", "containers", "0");
        assertEquals("segstream-ingest", kafkaUser(objects, ingest, ingestContainer, at(ingestContainer, "args"),
                mounts.resolve("ingest")));
        Map<String, Object> retrainContainer = at(retrain, "spec", "jobTemplate", "spec", "template", "spec",
                "containers", "0");
        assertEquals("segstream-retrain", kafkaUser(objects, retrain, retrainContainer, at(retrainContainer, "args"),
                mounts.resolve("retrain")));

        Map<String, Object> inferenceUser = find(objects, "KafkaUser", "segstream-inference");
        List<Map<String, Object>> acls = at(inferenceUser, "spec", "authorization", "acls");
        for (TopicRole role : TopicRole.values()) {
            assertTrue(acls.stream().anyMatch(a -> role.defaultName().equals(at(a, "resource", "name"))),
                    "segstream-inference may use " + role.defaultName());
        }
        assertTrue(acls.stream().anyMatch(a -> "transactionalId".equals(at(a, "resource", "type"))
                && InferenceJobOptions.TRANSACTIONAL_ID_PREFIX.defaultValue().equals(at(a, "resource", "name"))),
                "the job's transactions are allowed");
    }

    /**
     * The KafkaUser a client container authenticates as, after checking it end to end: its {@code SEGSTREAM_KAFKA_*}
     * variables are ones {@link KafkaClientSecurity} knows and accepts once the mounted Secrets hold the keys Strimzi
     * writes (materialised under {@code root}), the user's authentication matches the protocol, and the bootstrap
     * port is the Kafka listener with that authentication, over TLS.
     */
    private static String kafkaUser(List<Map<String, Object>> objects, Map<String, Object> owner,
            Map<String, Object> container, List<String> args, Path root) throws IOException {
        List<Map<String, Object>> envList = at(container, "env");
        Map<String, String> env = new HashMap<>();
        Set<String> known = KafkaClientSecurity.ALL.stream().map(KafkaClientSecurity.Option::environmentVariable)
                .collect(Collectors.toSet());
        String user = null;
        for (Map<String, Object> e : envList) {
            String name = String.valueOf(e.get("name"));
            if (!name.startsWith("SEGSTREAM_KAFKA_")) {
                continue;
            }
            assertTrue(known.contains(name), name + " is not a KafkaClientSecurity variable: " + known);
            String value = String.valueOf(e.get("value"));
            if (value.startsWith("/")) {
                Path dir = Path.of(value).getParent();
                Map<String, Object> volume = secretMountedAt(owner, container, dir);
                assertTrue(volume != null, name + ": no Secret is mounted at " + dir);
                String secret = at(volume, "secret", "secretName");
                if (!secret.equals("segstream-cluster-ca-cert")) {
                    assertTrue(user == null || user.equals(secret), "one KafkaUser per client");
                    user = secret;
                }
                Path local = root.resolve(value.substring(1));
                for (String key : secretKeys(objects, volume)) {
                    Files.createDirectories(local.getParent());
                    Files.writeString(local.getParent().resolve(key), key);
                }
                value = local.toString();
            }
            env.put(name, value);
        }
        KafkaClientSecurity security = KafkaClientSecurity.fromEnvironment(env);
        assertTrue(user != null, "the client mounts its KafkaUser's Secret");
        String protocol = security.get(KafkaClientSecurity.PROTOCOL);
        String authentication = at(find(objects, "KafkaUser", user), "spec", "authentication", "type");
        if (protocol.equals("SASL_SSL")) {
            assertEquals("scram-sha-512", authentication, user);
            assertEquals("SCRAM-SHA-512", security.get(KafkaClientSecurity.SASL_MECHANISM));
            assertEquals(user, security.get(KafkaClientSecurity.SASL_USERNAME));
        } else {
            assertEquals("SSL", protocol, user);
            assertEquals("tls", authentication, user);
            assertFalse(security.get(KafkaClientSecurity.KEYSTORE).isEmpty(), user + " presents its certificate");
        }
        String client = user;
        String bootstrap = args.get(args.indexOf("--bootstrap") + 1);
        int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
        List<Map<String, Object>> listeners = at(find(objects, "Kafka", "segstream"), "spec", "kafka", "listeners");
        Map<String, Object> listener = listeners.stream().filter(l -> ((Number) l.get("port")).intValue() == port)
                .findFirst().orElseThrow(() -> new AssertionError(client + " connects to " + bootstrap
                        + ", where no listener is"));
        assertEquals(true, listener.get("tls"), bootstrap);
        assertEquals(authentication, at(listener, "authentication", "type"), bootstrap);
        return user;
    }

    /** The Secret volume of {@code object} that {@code container} mounts at {@code dir}, or null. */
    private static Map<String, Object> secretMountedAt(Map<String, Object> object, Map<String, Object> container,
            Path dir) {
        List<Map<String, Object>> mountList = at(container, "volumeMounts");
        if (mountList == null || dir == null) {
            return null;
        }
        String volumeName = mountList.stream().filter(m -> dir.equals(Path.of(String.valueOf(m.get("mountPath")))))
                .map(m -> String.valueOf(m.get("name"))).findFirst().orElse(null);
        Map<String, Map<String, Object>> volumes = new HashMap<>();
        collectVolumes(object, volumes);
        Map<String, Object> volume = volumes.get(volumeName);
        return volume != null && volume.get("secret") != null ? volume : null;
    }

    /** The files a mounted Secret holds: its {@code items}, else the keys Strimzi writes for that Secret. */
    private static List<String> secretKeys(List<Map<String, Object>> objects, Map<String, Object> volume) {
        List<Map<String, Object>> items = at(volume, "secret", "items");
        if (items != null) {
            return items.stream().map(i -> String.valueOf(i.get("path"))).toList();
        }
        String secret = at(volume, "secret", "secretName");
        String type = at(find(objects, "KafkaUser", secret), "spec", "authentication", "type");
        return type.equals("tls") ? List.of("ca.crt", "user.crt", "user.key", "user.p12", "user.password")
                : List.of("password", "sasl.jaas.config");
    }

    @SuppressWarnings("unchecked")
    private static void collectVolumes(Object node, Map<String, Map<String, Object>> out) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if (k.equals("volumes") && v instanceof List<?> list) {
                    list.forEach(item -> out.put(String.valueOf(((Map<?, ?>) item).get("name")),
                            (Map<String, Object>) item));
                } else {
                    collectVolumes(v, out);
                }
            });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> collectVolumes(item, out));
        }
    }

    /** Every container map under {@code node}, keyed by its path. */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> collectContainers(Object node, Map<String, Map<String, Object>> out) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if (k.equals("containers") && v instanceof List<?> list) {
                    list.forEach(c -> out.put(String.valueOf(((Map<?, ?>) c).get("name")), (Map<String, Object>) c));
                } else {
                    collectContainers(v, out);
                }
            });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> collectContainers(item, out));
        }
        return out;
    }
}
