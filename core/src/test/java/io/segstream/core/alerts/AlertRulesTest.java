package io.segstream.core.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.labels.LabelSet;
import io.segstream.schemas.Severity;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertRulesTest {
    private static final String FILE = "rules/site.yaml";

    private static final String VALID = """
            label_set: rail-20
            groups:
              yard: ["yard-*", "depot-2"]
              north: ["*-n?"]
            zones:
              corridor:
                default: [[0.4, 0.5], [0.6, 0.5], [0.8, 1.0], [0.2, 1.0]]
                groups:
                  north: [[0.0, 0.0], [0.5, 0.0], [0.5, 0.5]]
                  yard: [[0.1, 0.1], [0.9, 0.1], [0.9, 0.9], [0.1, 0.9]]
                cameras:
                  rail-07: [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]
              siding:
                groups:
                  yard: [[0.0, 0.5], [0.5, 0.5], [0.5, 1.0], [0.0, 1.0]]
            rules:
              - id: person-in-corridor
                title: Person in the corridor
                severity: CRITICAL
                classes: [person, rider]
                zone: corridor
                min_fraction: 0.002
                debounce: {at_least: 3, of: 5}
                clear: {fraction: 0.001, at_most: 1, of: 10}
                cooldown_frames: 25
              - id: wagon-on-siding
                severity: INFO
                classes: [train]
                zone: siding
                min_fraction: 0.1
                debounce: {at_least: 2, of: 2}
              - id: track-visible
                severity: WARNING
                classes: [rail track]
                min_fraction: 0.05
                debounce: {at_least: 1, of: 1}
                groups: [north]
            """;

    @Test
    void parsesEveryField() throws Exception {
        AlertRules rules = AlertRules.parse(VALID, FILE);
        assertEquals("rail-20", rules.labelSet());
        assertEquals(Map.of("yard", List.of("yard-*", "depot-2"), "north", List.of("*-n?")), rules.groups());
        AlertRule person = rules.rules().get(0);
        assertEquals(new AlertRule("person-in-corridor", "Person in the corridor", Severity.CRITICAL,
                List.of("person", "rider"), "corridor", 0.002, new AlertRule.Debounce(3, 5),
                new AlertRule.Clear(0.001, 1, 10), 25, List.of()), person);
        AlertRule wagon = rules.rules().get(1);
        assertEquals("wagon-on-siding", wagon.title(), "title defaults to the id");
        assertEquals(new AlertRule.Clear(0.1, 0, 2), wagon.clear(), "clear defaults: min_fraction, 0, debounce of");
        assertEquals(0, wagon.cooldownFrames());
        assertNull(rules.rules().get(2).zoneId(), "no zone means the whole frame");
        assertEquals("rules/site.yaml: label set rail-20, 3 rules, 2 zones, 2 camera groups", rules.summary());
    }

    @Test
    void camerasJoinGroupsByGlobAndGetTheMostSpecificPolygon() throws Exception {
        AlertRules rules = AlertRules.parse(VALID, FILE);
        assertEquals(List.of("yard"), rules.groupsOf("yard-3"));
        assertEquals(List.of("yard"), rules.groupsOf("depot-2"));
        assertEquals(List.of(), rules.groupsOf("depot-22"));
        assertEquals(List.of("yard", "north"), rules.groupsOf("yard-n1"));
        Zone corridor = rules.zones().get("corridor");
        assertEquals(corridor.byCamera().get("rail-07"), rules.zonesFor("rail-07").get("corridor"), "own polygon");
        assertEquals(corridor.byGroup().get("yard"), rules.zonesFor("yard-3").get("corridor"), "group polygon");
        assertEquals(corridor.byGroup().get("north"), rules.zonesFor("yard-n1").get("corridor"),
                "the first group the zone lists wins");
        assertEquals(corridor.defaultPolygon(), rules.zonesFor("rail-01").get("corridor"), "default polygon");
        assertEquals(List.of("corridor"), List.copyOf(rules.zonesFor("rail-01").keySet()), "siding is yard-only");
    }

    @Test
    void rulesApplyWhereTheirZoneAndGroupsReach() throws Exception {
        AlertRules rules = AlertRules.parse(VALID, FILE);
        assertEquals(List.of("person-in-corridor"), ids(rules.rulesFor("rail-01")));
        assertEquals(List.of("person-in-corridor", "wagon-on-siding"), ids(rules.rulesFor("yard-1")));
        assertEquals(List.of("person-in-corridor", "track-visible"), ids(rules.rulesFor("rail-n4")));
    }

    @Test
    void shippedExamplesValidateAndMatchTheCopiesUnderConfig() throws Exception {
        for (String name : AlertRules.BUILT_IN) {
            AlertRules builtIn = AlertRules.builtIn(name);
            assertEquals("rail-20", builtIn.labelSet());
            Path config = Path.of("..", "config", "rules", name + ".yaml");
            AlertRules fromConfig = AlertRules.load(config);
            assertEquals(builtIn.rules(), fromConfig.rules(), name);
            try (var in = AlertRules.class.getResourceAsStream(name + ".yaml")) {
                assertEquals(Files.readString(config), new String(in.readAllBytes(), StandardCharsets.UTF_8),
                        "core/src/main/resources/io/segstream/core/alerts/" + name + ".yaml and " + config
                                + " must stay identical");
            }
        }
        AlertRules railway = AlertRules.builtIn("railway");
        AlertRule corridor = railway.rules().get(0);
        assertEquals("person-in-corridor", corridor.id());
        assertEquals(Severity.CRITICAL, corridor.severity());
        assertEquals(Severity.WARNING, railway.rules().get(1).severity());
        assertEquals(List.of("vegetation"), railway.rules().get(1).classes());
    }

    @Test
    void rulesSurviveJavaSerialisation() throws Exception {
        AlertRules rules = AlertRules.parse(VALID, FILE);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(rules);
        }
        AlertRules copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (AlertRules) in.readObject();
        }
        assertEquals(rules.rules(), copy.rules());
        assertEquals(rules.zones(), copy.zones());
        assertEquals(List.of("yard", "north"), copy.groupsOf("yard-n1"));
    }

    @Test
    void loadsFromAFileAndNamesAMissingOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ok.yaml");
        Files.writeString(file, VALID);
        assertEquals(3, AlertRules.load(file).rules().size());
        AlertRulesException e = assertThrows(AlertRulesException.class,
                () -> AlertRules.load(dir.resolve("missing.yaml")));
        assertTrue(e.getMessage().startsWith(dir.resolve("missing.yaml") + ": cannot read the rules file"),
                e.getMessage());
    }

    @Test
    void unknownClassNamesTheLabelSetAndItsClasses() {
        assertProblem(rule("classes: [person, persn]"),
                "rules/site.yaml: rule 'r1': unknown class 'persn' for label set rail-20; its classes are "
                        + String.join(", ", LabelSet.named("rail-20").classNames()));
    }

    @Test
    void classOfAnotherLabelSetIsUnknown() {
        assertProblem(rule("classes: [rail track]").replace("rail-20", "cityscapes-19"),
                "rules/site.yaml: rule 'r1': unknown class 'rail track' for label set cityscapes-19; its classes are "
                        + String.join(", ", LabelSet.named("cityscapes-19").classNames()));
    }

    @Test
    void polygonWithTooFewPoints() {
        assertProblem(zone("default: [[0.1, 0.1], [0.9, 0.9]]"),
                "rules/site.yaml: zone 'z' (default): polygon has 2 points; give at least 3 [x, y] points");
    }

    @Test
    void polygonOutOfRange() {
        assertProblem(zone("cameras: {cam-1: [[0.1, 0.1], [1.2, 0.1], [0.5, 0.9]]}"),
                "rules/site.yaml: zone 'z' (camera cam-1): polygon point 2 [1.2, 0.1] is outside 0..1; coordinates"
                        + " are fractions of the image width and height");
    }

    @Test
    void pointThatIsNotAPair() {
        assertProblem(zone("default: [[0.1, 0.1], [0.9], [0.5, 0.9]]"),
                "rules/site.yaml: zone 'z' (default): point 2 is [0.9]; write each point as [x, y] with numbers 0..1");
    }

    @Test
    void debounceNMoreThanM() {
        assertProblem(rule("debounce: {at_least: 6, of: 5}"),
                "rules/site.yaml: rule 'r1': debounce at_least 6 is more than of 5; N of M needs N <= M");
    }

    @Test
    void windowLongerThanTheHistory() {
        assertProblem(rule("debounce: {at_least: 3, of: 65}"),
                "rules/site.yaml: rule 'r1': debounce 'of' 65 must be 1..64 frames; clear 'of' 65 must be 1..64"
                        + " frames");
    }

    @Test
    void unknownZoneListsTheDefinedOnes() {
        assertProblem(rule("zone: corridr"),
                "rules/site.yaml: rule 'r1': unknown zone 'corridr'; defined zones: z (omit 'zone' for the whole"
                        + " frame)");
    }

    @Test
    void hysteresisMustHoldBetweenRaiseAndClear() {
        assertProblem(rule("clear: {fraction: 0.05, at_most: 3, of: 4}"),
                "rules/site.yaml: rule 'r1': clear 'of' 4 is shorter than debounce 'of' 5; the clear window must be"
                        + " at least as long, or a raised alert could clear while it would still raise; clear at_most"
                        + " 3 must be less than debounce at_least 3, or the alert could raise and clear on the same"
                        + " evidence; clear fraction 0.05 must be above 0 and at most min_fraction 0.01 (hysteresis:"
                        + " clearing needs less coverage than raising)");
    }

    @Test
    void fractionsAndCooldownAreRangeChecked() {
        assertProblem(rule("min_fraction: 0").replace("\n    debounce", "\n    cooldown_frames: -1\n    debounce"),
                "rules/site.yaml: rule 'r1': min_fraction 0.0 must be above 0 and at most 1; clear fraction 0.0 must"
                        + " be above 0 and at most min_fraction 0.0 (hysteresis: clearing needs less coverage than"
                        + " raising); cooldown_frames -1 must be 0..1000000000");
    }

    @Test
    void severityMustBeKnown() {
        assertProblem(rule("severity: URGENT"),
                "rules/site.yaml: rule 'r1': unknown severity 'URGENT'; use one of [INFO, WARNING, CRITICAL]");
    }

    @Test
    void unknownKeysAreNamedWithTheKnownOnes() {
        assertProblem(rule("min_fraction: 0.01").replace("min_fraction", "min_fracton"),
                "rules/site.yaml: rule 'r1': unknown key 'min_fracton'; known keys are id, title, severity, classes,"
                        + " zone, min_fraction, debounce, clear, cooldown_frames, groups; rule 'r1': 'min_fraction'"
                        + " must be a number and is missing");
    }

    @Test
    void ruleIdsMustBeUniqueAndNotSystem() {
        String twice = rule("id: r1") + """
                  - id: r1
                    severity: INFO
                    classes: [car]
                    min_fraction: 0.1
                    debounce: {at_least: 1, of: 1}
                  - id: system.model
                    severity: INFO
                    classes: [car]
                    min_fraction: 0.1
                    debounce: {at_least: 1, of: 1}
                """;
        assertProblem(twice, "rules/site.yaml: rule 'r1' is defined more than once; rule ids must be unique;"
                + " rule 'system.model': id 'system.model' starts with 'system.', which is reserved for system"
                + " alerts; rename it");
    }

    @Test
    void missingIdIsReportedByPosition() {
        assertProblem(rule("id: r1").replace("- id: r1\n    ", "- "),
                "rules/site.yaml: rule 1: 'id' is missing; give each rule a unique id");
    }

    @Test
    void unknownGroupInAZoneAndInARule() {
        assertProblem(zone("groups: {yrad: [[0, 0], [1, 0], [1, 1]]}").replace("zone: z", "zone: z\n    groups: [yard]"),
                "rules/site.yaml: zone 'z': unknown group 'yrad'; no groups are defined (define it under the"
                        + " top-level 'groups'); rule 'r1': unknown group 'yard'; no groups are defined (define it"
                        + " under the top-level 'groups')");
    }

    @Test
    void unknownLabelSet() {
        assertProblem(rule("id: r1").replace("rail-20", "rail-21"),
                "rules/site.yaml: 'label_set': unknown label set 'rail-21'; known sets are cityscapes-19,"
                        + " cityscapes-34, rail-20");
    }

    @Test
    void brokenYamlNamesLineAndColumn() {
        assertProblem("label_set: rail-20\nrules: [\n  {id: a\n", "rules/site.yaml: not valid YAML at line 3,"
                + " column 9: while parsing a flow mapping: expected ',' or '}', but got <stream end>");
    }

    @Test
    void duplicateZoneIdsAreRefused() {
        String twice = BASE.replace("zones:\n", "zones:\n  z:\n    default: [[0, 0], [1, 0], [1, 1]]\n");
        assertProblem(twice, "rules/site.yaml: not valid YAML at line 6, column 5: key 'z' appears twice in one"
                + " mapping; ids of zones, groups and cameras must be unique");
    }

    @Test
    void everyProblemOfTheFileIsListed() {
        AlertRulesException e = assertThrows(AlertRulesException.class, () -> AlertRules.parse(
                rule("classes: [persn]").replace("debounce: {at_least: 3, of: 5}", "debounce: {at_least: 9, of: 5}"),
                FILE));
        assertEquals(List.of(
                "rule 'r1': unknown class 'persn' for label set rail-20; its classes are "
                        + String.join(", ", LabelSet.named("rail-20").classNames()),
                "rule 'r1': debounce at_least 9 is more than of 5; N of M needs N <= M"), e.problems());
    }

    @Test
    void emptyFileSaysWhatItNeeds() {
        assertProblem("", "rules/site.yaml: the file must be a YAML mapping with 'label_set', 'zones' and 'rules'");
    }

    private static List<String> ids(List<AlertRule> rules) {
        return rules.stream().map(AlertRule::id).toList();
    }

    private static final String BASE = """
            label_set: rail-20
            zones:
              z:
                default: [[0.2, 0.2], [0.8, 0.2], [0.8, 0.8], [0.2, 0.8]]
            rules:
              - id: r1
                severity: CRITICAL
                classes: [person]
                zone: z
                min_fraction: 0.01
                debounce: {at_least: 3, of: 5}
            """;

    /** The valid file {@link #BASE} with the rule line of {@code line}'s key replaced by {@code line} (or added). */
    private static String rule(String line) {
        String key = Pattern.quote(line.substring(0, line.indexOf(':')));
        String[] lines = BASE.split("\n");
        boolean inRules = false;
        for (int i = 0; i < lines.length; i++) {
            inRules |= lines[i].equals("rules:");
            if (inRules && lines[i].matches("\\s*(- )?" + key + ":.*")) {
                lines[i] = lines[i].replaceFirst(key + ":.*", Matcher.quoteReplacement(line));
                return String.join("\n", lines) + "\n";
            }
        }
        return BASE + "    " + line + "\n";
    }

    /** The valid file with zone 'z' defined by {@code body} instead. */
    private static String zone(String body) {
        return rule("id: r1").replace("    default: [[0.2, 0.2], [0.8, 0.2], [0.8, 0.8], [0.2, 0.8]]", "    " + body);
    }

    private static void assertProblem(String yaml, String message) {
        AlertRulesException e = assertThrows(AlertRulesException.class, () -> AlertRules.parse(yaml, FILE));
        assertEquals(message, e.getMessage());
    }

    @Test
    void anAliasBombIsNeverExpandedAndIsRefusedInOneMessage() {
        // "billion laughs": each level refers to the one before ten times, 10^9 strings if expanded
        StringBuilder yaml = new StringBuilder("label_set: rail-20\nlol0: &l0 [lol]\n");
        for (int level = 1; level <= 9; level++) {
            yaml.append("lol").append(level).append(": &l").append(level).append(" [");
            for (int k = 0; k < 10; k++) {
                yaml.append(k == 0 ? "" : ", ").append("*l").append(level - 1);
            }
            yaml.append("]\n");
        }
        // the bomb's top level used as a zone polygon: expanded, it would be 10^9 strings
        yaml.append(VALID.substring(VALID.indexOf("zones:")).replace(
                "default: [[0.4, 0.5], [0.6, 0.5], [0.8, 1.0], [0.2, 1.0]]", "default: *l9"));
        AlertRulesException e = assertThrows(AlertRulesException.class, () -> AlertRules.parse(yaml.toString(), FILE));
        assertTrue(e.getMessage().startsWith(FILE), e.getMessage());
        assertTrue(e.getMessage().contains("unknown key 'lol9'"), e.getMessage());
        assertTrue(e.getMessage().length() < 4000, "problems listed, not copies: " + e.getMessage().length());
    }

    @Test
    void aPolygonOfTooManyPointsAndAHugeFileAreRefusedWithTheLimit() {
        StringBuilder points = new StringBuilder("[");
        for (int i = 0; i <= Polygon.MAX_POINTS; i++) {
            points.append(i == 0 ? "" : ", ").append("[0.5, 0.5]");
        }
        String huge = VALID.replace("default: [[0.4, 0.5], [0.6, 0.5], [0.8, 1.0], [0.2, 1.0]]",
                "default: " + points + "]");
        AlertRulesException e = assertThrows(AlertRulesException.class, () -> AlertRules.parse(huge, FILE));
        assertTrue(e.getMessage().contains("a polygon of " + (Polygon.MAX_POINTS + 1) + " points; at most "
                + Polygon.MAX_POINTS), e.getMessage());

        String padded = VALID + "# " + "x".repeat(2 << 20) + "\n";
        AlertRulesException big = assertThrows(AlertRulesException.class, () -> AlertRules.parse(padded, FILE));
        assertTrue(big.getMessage().contains("a configuration file may have at most " + (1 << 20)),
                big.getMessage());
        assertTrue(big.getMessage().length() < 400, "one sentence, not the file: " + big.getMessage().length());
    }
}
