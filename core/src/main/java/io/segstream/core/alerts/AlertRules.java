package io.segstream.core.alerts;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The alert rules of one deployment, read from a YAML file: camera groups, zones and rules, validated
 * against the file's label set. Immutable and serialisable, so a Flink job can ship it to its operators.
 *
 * <p>The file format (all coordinates are fractions of the image width and height):
 * <pre>{@code
 * label_set: rail-20
 * groups:                          # optional: camera ids by glob pattern (* and ?)
 *   yard: ["yard-*", "depot-2"]
 * zones:
 *   track-corridor:
 *     default: [[0.45, 0.55], [0.55, 0.55], [0.80, 1.0], [0.20, 1.0]]
 *     groups:  {yard: [[0.30, 0.50], [0.70, 0.50], [0.70, 1.0], [0.30, 1.0]]}
 *     cameras: {rail-07: [[0.40, 0.60], [0.60, 0.60], [0.90, 1.0], [0.10, 1.0]]}
 * rules:
 *   - id: person-in-corridor
 *     title: Person in the track corridor
 *     severity: CRITICAL                          # INFO, WARNING or CRITICAL
 *     classes: [person, rider]
 *     zone: track-corridor                        # omit for the whole frame
 *     min_fraction: 0.002
 *     debounce: {at_least: 3, of: 5}
 *     clear: {fraction: 0.001, at_most: 0, of: 10}  # optional; defaults: min_fraction, 0, debounce 'of'
 *     cooldown_frames: 25                         # optional, default 0
 *     groups: [yard]                              # optional: only cameras of these groups
 * }</pre>
 *
 * <p>A camera belongs to every group with a pattern matching its id. A rule applies to a camera when the
 * camera is in one of the rule's groups (or the rule names none) and the rule's zone has a polygon for that
 * camera (see {@link Zone#polygonFor}).
 *
 * <pre>{@code
 * AlertRules rules = AlertRules.load(Path.of("config/rules/railway.yaml"));
 * List<AlertRule> forCamera = rules.rulesFor("rail-01");
 * }</pre>
 */
public final class AlertRules implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The example rules files that ship as resources: {@code railway} and {@code road}. */
    public static final List<String> BUILT_IN = List.of("railway", "road");

    private final String source;
    private final String labelSet;
    private final Map<String, List<String>> groups;
    private final Map<String, List<Pattern>> groupPatterns;
    private final Map<String, Zone> zones;
    private final List<AlertRule> rules;

    AlertRules(String source, String labelSet, Map<String, List<String>> groups, Map<String, Zone> zones,
            List<AlertRule> rules) {
        this.source = source;
        this.labelSet = labelSet;
        Map<String, List<String>> g = new LinkedHashMap<>();
        Map<String, List<Pattern>> p = new LinkedHashMap<>();
        groups.forEach((name, globs) -> {
            g.put(name, List.copyOf(globs));
            p.put(name, globs.stream().map(AlertRules::globToRegex).toList());
        });
        this.groups = Collections.unmodifiableMap(g);
        this.groupPatterns = Collections.unmodifiableMap(p);
        this.zones = Collections.unmodifiableMap(new LinkedHashMap<>(zones));
        this.rules = List.copyOf(rules);
    }

    /** Reads and validates a rules file. */
    public static AlertRules load(Path file) throws AlertRulesException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AlertRulesException(file.toString(), "cannot read the rules file (" + e + ")", e);
        }
        return parse(text, file.toString());
    }

    /**
     * Parses and validates rules from YAML text.
     *
     * @param source names the text in error messages, usually the file path
     */
    public static AlertRules parse(String yaml, String source) throws AlertRulesException {
        return new AlertRulesParser(source).parse(yaml);
    }

    /** One of the {@link #BUILT_IN} example files, e.g. {@code railway}. */
    public static AlertRules builtIn(String name) throws AlertRulesException {
        if (!BUILT_IN.contains(name)) {
            throw new IllegalArgumentException("no built-in rules named '" + name + "'; built-in rules are "
                    + String.join(", ", BUILT_IN));
        }
        String resource = name + ".yaml";
        try (InputStream in = AlertRules.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("rules resource " + resource + " is missing from the jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in " + resource);
        } catch (IOException e) {
            throw new AlertRulesException("built-in " + resource, "cannot read the resource (" + e + ")", e);
        }
    }

    private static Pattern globToRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString());
    }

    /** Where the rules came from (file path or resource), for messages. */
    public String source() {
        return source;
    }

    /** Name of the label set whose class names the rules use. */
    public String labelSet() {
        return labelSet;
    }

    /** Camera groups: name to glob patterns, in file order. */
    public Map<String, List<String>> groups() {
        return groups;
    }

    /** Zones by id, in file order. */
    public Map<String, Zone> zones() {
        return zones;
    }

    /** Every rule, in file order. */
    public List<AlertRule> rules() {
        return rules;
    }

    /** The groups {@code cameraId} belongs to, in file order. */
    public List<String> groupsOf(String cameraId) {
        List<String> member = new ArrayList<>();
        groupPatterns.forEach((name, patterns) -> {
            if (patterns.stream().anyMatch(p -> p.matcher(cameraId).matches())) {
                member.add(name);
            }
        });
        return member;
    }

    /** The polygon of every zone that {@code cameraId} has, by zone id in file order. */
    public Map<String, Polygon> zonesFor(String cameraId) {
        List<String> cameraGroups = groupsOf(cameraId);
        Map<String, Polygon> resolved = new LinkedHashMap<>();
        zones.forEach((id, zone) -> {
            Polygon p = zone.polygonFor(cameraId, cameraGroups);
            if (p != null) {
                resolved.put(id, p);
            }
        });
        return resolved;
    }

    /** The rules that apply to {@code cameraId}, in file order. */
    public List<AlertRule> rulesFor(String cameraId) {
        List<String> cameraGroups = groupsOf(cameraId);
        List<AlertRule> applying = new ArrayList<>();
        for (AlertRule rule : rules) {
            boolean inGroup = rule.groups().isEmpty() || rule.groups().stream().anyMatch(cameraGroups::contains);
            boolean hasZone = rule.zoneId() == null
                    || zones.get(rule.zoneId()).polygonFor(cameraId, cameraGroups) != null;
            if (inGroup && hasZone) {
                applying.add(rule);
            }
        }
        return applying;
    }

    /** One line for the start-up log. */
    public String summary() {
        return source + ": label set " + labelSet + ", " + rules.size() + " rule" + (rules.size() == 1 ? "" : "s")
                + ", " + zones.size() + " zone" + (zones.size() == 1 ? "" : "s") + ", " + groups.size()
                + " camera group" + (groups.size() == 1 ? "" : "s");
    }

    @Override
    public String toString() {
        return summary();
    }
}
