package io.segstream.k8s;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a kustomization the way {@code kubectl apply -k} does, for the subset of kustomize the project's manifests
 * use: {@code resources} (files and directories), {@code patches} by {@code path} (strategic merge: maps merge, lists
 * of named items merge by name, other lists are replaced) and {@code namespace}. Any other key is refused, so a
 * manifest cannot come to rely on a feature this renderer would silently skip.
 */
final class Kustomization {
    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "namespace", "resources", "patches");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Kustomization() {}

    /** The objects {@code dir}'s kustomization.yaml renders, in order. */
    static List<Map<String, Object>> render(Path dir) throws IOException {
        Path file = dir.resolve("kustomization.yaml");
        Map<String, Object> k = map(YAML.readValue(file.toFile(), Map.class), file.toString());
        for (String key : k.keySet()) {
            if (!SUPPORTED.contains(key)) {
                throw new IllegalArgumentException(file + ": kustomize key '" + key + "' is not one the test renders "
                        + SUPPORTED);
            }
        }
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object resource : list(k.getOrDefault("resources", List.of()))) {
            Path path = dir.resolve(resource.toString()).normalize();
            objects.addAll(Files.isDirectory(path) ? render(path) : documents(path));
        }
        for (Object patch : list(k.getOrDefault("patches", List.of()))) {
            Path path = dir.resolve(map(patch, file + " patches").get("path").toString());
            for (Map<String, Object> p : documents(path)) {
                Map<String, Object> target = objects.stream().filter(o -> sameObject(o, p)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException(path + ": the patch of " + p.get("kind") + " "
                                + name(p) + " matches no resource"));
                merge(target, p);
            }
        }
        Object namespace = k.get("namespace");
        if (namespace != null) {
            objects.forEach(o -> map(o.computeIfAbsent("metadata", x -> new LinkedHashMap<>()), "metadata")
                    .put("namespace", namespace));
        }
        return objects;
    }

    /** Every YAML document of {@code file}. */
    static List<Map<String, Object>> documents(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            for (var it = YAML.readValues(parser, Map.class); it.hasNext(); ) {
                Object doc = it.next();
                if (doc != null) {
                    docs.add(map(doc, file.toString()));
                }
            }
        }
        return docs;
    }

    static String name(Map<String, Object> object) {
        return String.valueOf(map(object.get("metadata"), "metadata").get("name"));
    }

    private static boolean sameObject(Map<String, Object> a, Map<String, Object> b) {
        return a.get("kind").equals(b.get("kind")) && a.get("apiVersion").equals(b.get("apiVersion"))
                && name(a).equals(name(b));
    }

    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> into, Map<String, Object> patch) {
        patch.forEach((key, value) -> {
            Object old = into.get(key);
            if (old instanceof Map<?, ?> oldMap && value instanceof Map<?, ?> newMap) {
                merge((Map<String, Object>) oldMap, (Map<String, Object>) newMap);
            } else if (old instanceof List<?> oldList && value instanceof List<?> newList && named(oldList)
                    && named(newList)) {
                List<Object> merged = new ArrayList<>(oldList);
                for (Object item : newList) {
                    Object itemName = ((Map<?, ?>) item).get("name");
                    Map<String, Object> match = (Map<String, Object>) merged.stream()
                            .filter(m -> itemName.equals(((Map<?, ?>) m).get("name"))).findFirst().orElse(null);
                    if (match == null) {
                        merged.add(item);
                    } else {
                        merge(match, (Map<String, Object>) item);
                    }
                }
                into.put(key, merged);
            } else {
                into.put(key, value);
            }
        });
    }

    private static boolean named(List<?> list) {
        return !list.isEmpty() && list.stream().allMatch(i -> i instanceof Map<?, ?> m && m.get("name") != null);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value, String where) {
        if (value instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new IllegalArgumentException(where + ": expected a mapping, got " + value);
    }

    static List<?> list(Object value) {
        if (value instanceof List<?> l) {
            return l;
        }
        throw new IllegalArgumentException("expected a list, got " + value);
    }
}
