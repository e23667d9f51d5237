package io.segstream.core.alerts;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.core.config.SafeYaml;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.labels.UnknownLabelException;
import io.segstream.schemas.Severity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a rules file's YAML tree and collects every problem, each with its place in the file. */
final class AlertRulesParser {
    private static final ObjectMapper YAML = SafeYaml.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '([^']*)'");

    private static final List<String> TOP_KEYS = List.of("label_set", "groups", "zones", "rules");
    private static final List<String> ZONE_KEYS = List.of("default", "groups", "cameras");
    private static final List<String> RULE_KEYS = List.of("id", "title", "severity", "classes", "zone",
            "min_fraction", "debounce", "clear", "cooldown_frames", "groups");
    private static final List<String> DEBOUNCE_KEYS = List.of("at_least", "of");
    private static final List<String> CLEAR_KEYS = List.of("fraction", "at_most", "of");

    private final String source;
    private final List<String> problems = new ArrayList<>();

    AlertRulesParser(String source) {
        this.source = source;
    }

    AlertRules parse(String yaml) throws AlertRulesException {
        JsonNode root;
        try {
            SafeYaml.requireSize(yaml, "the file");
        } catch (IllegalArgumentException e) {
            throw new AlertRulesException(source, List.of(e.getMessage()));
        }
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new AlertRulesException(source, "not valid YAML" + where + ": " + oneLine(e.getOriginalMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw new AlertRulesException(source, List.of("the file must be a YAML mapping with 'label_set', "
                    + "'zones' and 'rules'"));
        }
        checkKeys(root, "the top level", TOP_KEYS);

        LabelSet labelSet = labelSet(root.get("label_set"));
        Map<String, List<String>> groups = groups(root.get("groups"));
        Map<String, Zone> zones = zones(root.get("zones"), groups.keySet());
        // rules are checked against every declared zone id, so a broken zone is reported once, not per rule
        Set<String> zoneIds = new LinkedHashSet<>();
        if (root.path("zones").isObject()) {
            root.get("zones").fieldNames().forEachRemaining(zoneIds::add);
        }
        List<AlertRule> rules = rules(root.get("rules"), labelSet, zoneIds, groups.keySet());
        if (!problems.isEmpty()) {
            throw new AlertRulesException(source, problems);
        }
        return new AlertRules(source, labelSet.name(), groups, zones, rules);
    }

    private LabelSet labelSet(JsonNode node) {
        if (node == null || !node.isTextual()) {
            problems.add("'label_set' is missing; name the label set whose class names the rules use, one of "
                    + String.join(", ", LabelSet.BUILT_IN));
            return null;
        }
        try {
            return LabelSet.named(node.asText());
        } catch (UnknownLabelException e) {
            problems.add("'label_set': " + e.getMessage());
            return null;
        }
    }

    private Map<String, List<String>> groups(JsonNode node) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        if (node == null) {
            return groups;
        }
        if (!node.isObject()) {
            problems.add("'groups' must map group names to lists of camera id patterns, e.g. rail: [\"rail-*\"]");
            return groups;
        }
        node.fields().forEachRemaining(e -> {
            List<String> patterns = textList(e.getValue());
            if (patterns == null || patterns.isEmpty()) {
                problems.add("group '" + e.getKey() + "' must be a non-empty list of camera id patterns"
                        + " (* matches any run of characters, ? one character)");
            } else {
                groups.put(e.getKey(), patterns);
            }
        });
        return groups;
    }

    private Map<String, Zone> zones(JsonNode node, Set<String> groupNames) {
        Map<String, Zone> zones = new LinkedHashMap<>();
        if (node == null) {
            return zones;
        }
        if (!node.isObject()) {
            problems.add("'zones' must map zone ids to polygons under 'default', 'groups' or 'cameras'");
            return zones;
        }
        node.fields().forEachRemaining(e -> {
            String id = e.getKey();
            JsonNode z = e.getValue();
            String ctx = "zone '" + id + "'";
            if (!z.isObject()) {
                problems.add(ctx + " must be a mapping with 'default', 'groups' or 'cameras'");
                return;
            }
            int before = problems.size();
            checkKeys(z, ctx, ZONE_KEYS);
            Polygon byDefault = z.has("default") ? polygon(z.get("default"), ctx + " (default)") : null;
            Map<String, Polygon> byGroup = scoped(z.get("groups"), ctx, "group");
            for (String group : byGroup.keySet()) {
                if (!groupNames.contains(group)) {
                    problems.add(ctx + ": unknown group '" + group + "'; " + defined("groups", groupNames)
                            + " (define it under the top-level 'groups')");
                }
            }
            Map<String, Polygon> byCamera = scoped(z.get("cameras"), ctx, "camera");
            if (problems.size() > before) {
                return;
            }
            if (byDefault == null && byGroup.isEmpty() && byCamera.isEmpty()) {
                problems.add(ctx + " has no polygon; give 'default', 'groups' or 'cameras'");
                return;
            }
            zones.put(id, new Zone(id, byDefault, byGroup, byCamera));
        });
        return zones;
    }

    private Map<String, Polygon> scoped(JsonNode node, String ctx, String scope) {
        Map<String, Polygon> polygons = new LinkedHashMap<>();
        if (node == null) {
            return polygons;
        }
        if (!node.isObject()) {
            problems.add(ctx + ": '" + scope + "s' must map " + scope + " names to polygons");
            return polygons;
        }
        node.fields().forEachRemaining(e -> {
            Polygon p = polygon(e.getValue(), ctx + " (" + scope + " " + e.getKey() + ")");
            if (p != null) {
                polygons.put(e.getKey(), p);
            }
        });
        return polygons;
    }

    private Polygon polygon(JsonNode node, String ctx) {
        if (!node.isArray()) {
            problems.add(ctx + ": a polygon must be a list of [x, y] points");
            return null;
        }
        if (node.size() > Polygon.MAX_POINTS) {
            problems.add(ctx + ": a polygon of " + node.size() + " points; at most " + Polygon.MAX_POINTS
                    + " are allowed");
            return null;
        }
        double[] xy = new double[node.size() * 2];
        for (int i = 0; i < node.size(); i++) {
            JsonNode point = node.get(i);
            if (!point.isArray() || point.size() != 2 || !point.get(0).isNumber() || !point.get(1).isNumber()) {
                problems.add(ctx + ": point " + (i + 1) + " is " + point + "; write each point as [x, y] with"
                        + " numbers 0..1");
                return null;
            }
            xy[2 * i] = point.get(0).asDouble();
            xy[2 * i + 1] = point.get(1).asDouble();
        }
        try {
            return Polygon.of(xy);
        } catch (IllegalArgumentException e) {
            problems.add(ctx + ": " + e.getMessage());
            return null;
        }
    }

    private List<AlertRule> rules(JsonNode node, LabelSet labelSet, Set<String> zoneIds, Set<String> groupNames) {
        List<AlertRule> rules = new ArrayList<>();
        if (node == null || !node.isArray() || node.isEmpty()) {
            problems.add("'rules' must be a non-empty list of rules");
            return rules;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode r = node.get(i);
            if (!r.isObject()) {
                problems.add("rule " + (i + 1) + " must be a mapping with id, severity, classes, min_fraction and"
                        + " debounce");
                continue;
            }
            String id = r.path("id").isTextual() ? r.get("id").asText() : null;
            String ctx = id == null ? "rule " + (i + 1) : "rule '" + id + "'";
            if (id == null) {
                problems.add(ctx + ": 'id' is missing; give each rule a unique id");
            } else if (!seen.add(id)) {
                problems.add(ctx + " is defined more than once; rule ids must be unique");
            }
            checkKeys(r, ctx, RULE_KEYS);
            AlertRule rule = rule(r, ctx, id, labelSet, zoneIds, groupNames);
            if (rule != null) {
                rules.add(rule);
            }
        }
        return rules;
    }

    private AlertRule rule(JsonNode r, String ctx, String id, LabelSet labelSet, Set<String> zoneIds,
            Set<String> groupNames) {
        int before = problems.size();
        Severity severity = severity(r.get("severity"), ctx);
        List<String> classes = classes(r.get("classes"), ctx, labelSet);
        String zone = null;
        if (r.has("zone")) {
            zone = r.get("zone").isTextual() ? r.get("zone").asText() : null;
            if (zone == null) {
                problems.add(ctx + ": 'zone' must be a zone id; omit it for the whole frame");
            } else if (!zoneIds.contains(zone)) {
                problems.add(ctx + ": unknown zone '" + zone + "'; " + defined("zones", zoneIds)
                        + " (omit 'zone' for the whole frame)");
            }
        }
        Double minFraction = number(r.get("min_fraction"), ctx, "min_fraction");
        JsonNode d = r.get("debounce");
        Integer atLeast = null;
        Integer of = null;
        if (d == null || !d.isObject()) {
            problems.add(ctx + ": 'debounce' is missing; write e.g. debounce: {at_least: 3, of: 5}");
        } else {
            checkKeys(d, ctx + " debounce", DEBOUNCE_KEYS);
            atLeast = integer(d.get("at_least"), ctx, "debounce at_least");
            of = integer(d.get("of"), ctx, "debounce of");
        }
        JsonNode c = r.get("clear");
        Double clearFraction = minFraction;
        Integer atMost = 0;
        Integer clearOf = of;
        if (c != null) {
            if (!c.isObject()) {
                problems.add(ctx + ": 'clear' must be a mapping, e.g. clear: {fraction: 0.001, at_most: 0, of: 10}");
            } else {
                checkKeys(c, ctx + " clear", CLEAR_KEYS);
                clearFraction = c.has("fraction") ? number(c.get("fraction"), ctx, "clear fraction") : minFraction;
                atMost = c.has("at_most") ? integer(c.get("at_most"), ctx, "clear at_most") : Integer.valueOf(0);
                clearOf = c.has("of") ? integer(c.get("of"), ctx, "clear of") : of;
            }
        }
        Integer cooldown = r.has("cooldown_frames") ? integer(r.get("cooldown_frames"), ctx, "cooldown_frames") : 0;
        List<String> groups = List.of();
        if (r.has("groups")) {
            groups = textList(r.get("groups"));
            if (groups == null) {
                problems.add(ctx + ": 'groups' must be a list of group names");
                groups = List.of();
            }
            for (String g : groups) {
                if (!groupNames.contains(g)) {
                    problems.add(ctx + ": unknown group '" + g + "'; " + defined("groups", groupNames)
                            + " (define it under the top-level 'groups')");
                }
            }
        }
        String title = r.path("title").isTextual() ? r.get("title").asText() : null;
        if (id == null || severity == null || minFraction == null || clearFraction == null || atLeast == null
                || of == null || atMost == null || clearOf == null || cooldown == null) {
            return null;
        }
        AlertRule rule;
        try {
            rule = new AlertRule(id, title, severity, classes, zone, minFraction,
                    new AlertRule.Debounce(atLeast, of), new AlertRule.Clear(clearFraction, atMost, clearOf),
                    cooldown, groups);
        } catch (IllegalArgumentException e) {
            problems.add(ctx + ": " + e.getMessage());
            return null;
        }
        return problems.size() > before ? null : rule;
    }

    private Severity severity(JsonNode node, String ctx) {
        String allowed = Arrays.toString(Severity.values());
        if (node == null || !node.isTextual()) {
            problems.add(ctx + ": 'severity' is missing; use one of " + allowed);
            return null;
        }
        try {
            return Severity.valueOf(node.asText());
        } catch (IllegalArgumentException e) {
            problems.add(ctx + ": unknown severity '" + node.asText() + "'; use one of " + allowed);
            return null;
        }
    }

    private List<String> classes(JsonNode node, String ctx, LabelSet labelSet) {
        List<String> classes = textList(node);
        if (classes == null || classes.isEmpty()) {
            problems.add(ctx + ": 'classes' must be a non-empty list of class names");
            return List.of();
        }
        Set<String> unique = new LinkedHashSet<>();
        for (String name : classes) {
            if (!unique.add(name)) {
                problems.add(ctx + ": class '" + name + "' is listed twice; list each class once");
            } else if (labelSet != null && !labelSet.classNames().contains(name)) {
                problems.add(ctx + ": unknown class '" + name + "' for label set " + labelSet.name()
                        + "; its classes are " + String.join(", ", labelSet.classNames()));
            }
        }
        return classes;
    }

    private Double number(JsonNode node, String ctx, String key) {
        if (node == null || !node.isNumber()) {
            problems.add(ctx + ": '" + key + "' must be a number" + (node == null ? " and is missing" : ", not " + node));
            return null;
        }
        return node.asDouble();
    }

    private Integer integer(JsonNode node, String ctx, String key) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToInt()) {
            problems.add(ctx + ": '" + key + "' must be a whole number" + (node == null ? " and is missing"
                    : ", not " + node));
            return null;
        }
        return node.asInt();
    }

    private static List<String> textList(JsonNode node) {
        if (node == null || !node.isArray()) {
            return null;
        }
        List<String> values = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual() || n.asText().isEmpty()) {
                return null;
            }
            values.add(n.asText());
        }
        return values;
    }

    private void checkKeys(JsonNode node, String ctx, List<String> known) {
        node.fieldNames().forEachRemaining(key -> {
            if (!known.contains(key)) {
                problems.add(ctx + ": unknown key '" + key + "'; known keys are " + String.join(", ", known));
            }
        });
    }

    /** The YAML parser's message on one line, without its snippets of the input. */
    private static String oneLine(String message) {
        Matcher duplicate = DUPLICATE.matcher(message);
        if (duplicate.lookingAt()) {
            return "key '" + duplicate.group(1) + "' appears twice in one mapping; ids of zones, groups and"
                    + " cameras must be unique";
        }
        List<String> parts = new ArrayList<>();
        for (String line : message.split("\\R")) {
            if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
                parts.add(line.strip());
            }
        }
        return String.join(": ", parts);
    }

    private static String defined(String what, Set<String> names) {
        return names.isEmpty() ? "no " + what + " are defined" : "defined " + what + ": " + String.join(", ", names);
    }
}
