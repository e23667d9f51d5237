package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import io.segstream.core.model.BootstrapModel;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.scenes.ProgressListener;
import io.segstream.core.scenes.SceneGenerator;
import io.segstream.core.scenes.SceneKind;
import io.segstream.core.scenes.SceneWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandTest {
    /**
     * One 4x4 frame. Ground truth: road (7) rows, sidewalk (8), sky (23), unlabeled (0), car (26); the prediction
     * gets road 4 of 6 (2 as sidewalk), sky 1 of 2 (+1 FP from car), car 2 of 4.
     */
    private static final int[] GT = {
        7, 7, 7, 7,
        7, 7, 8, 8,
        23, 23, 0, 0,
        26, 26, 26, 26};
    private static final int[] PRED = {
        7, 7, 7, 8,
        7, 8, 8, 8,
        23, 7, 7, 23,
        26, 26, 0, 23};

    @TempDir
    Path tmp;
    Path gt;
    Path pred;
    Path predFile;
    Path gtFile;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private CliRun eval(String... extra) {
        List<String> args = new ArrayList<>(List.of("eval", "--gt", gt.toString(), "--pred", pred.toString()));
        args.addAll(List.of(extra));
        return run(args.toArray(String[]::new));
    }

    private static LabelImage img(int[] values) {
        return new LabelImage(4, 4, values.clone());
    }

    @BeforeEach
    void writeDataset() throws Exception {
        gt = tmp.resolve("gt");
        pred = tmp.resolve("pred");
        Path dir = gt.resolve("gtFine/val/aachen");
        gtFile = dir.resolve("aachen_000000_000019_gtFine_labelIds.png");
        LabelPng.write8(img(GT), gtFile);
        LabelPng.write16(img(GT), dir.resolve("aachen_000000_000019_gtFine_instanceIds.png"));
        predFile = pred.resolve("model-a/aachen_000000_000019_leftImg8bit.png");
        LabelPng.write8(img(PRED), predFile);
    }

    @Test
    void printsTheTablesAndWritesJsonAndPng() throws Exception {
        Path json = tmp.resolve("out/result.json");
        Path png = tmp.resolve("out/confusion.png");
        CliRun r = eval("--json", json.toString(), "--png", png.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Evaluated 1 frame(s) of " + gt.resolve("gtFine/val") + " against " + pred
                + " (label set cityscapes-19, predictions as label ids)"), r.out());
        // road: TP 4, FP 1, FN 2 -> 4/7; Dice 8/11; precision 4/5; recall 4/6
        assertTrue(r.out().contains("| road          | 0.571 |   nan | 0.727 |     0.800 |  0.667 |"), r.out());
        // flat category: TP 8, FP 1, FN 0 -> 8/9
        assertTrue(r.out().contains("| flat          | 0.889 |   nan |"), r.out());
        // mean IoU (4/7 + 1/2 + 1/3 + 1/2) / 4
        assertTrue(r.out().contains("| Score Average | 0.476 |   nan | 0.640 |     0.700 |  0.667 |"), r.out());
        assertTrue(r.out().contains("IoU Over Categories"));
        assertTrue(r.out().contains("wrote " + json));
        JsonNode result = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                .readTree(json.toFile());
        assertEquals(4.0 / 7, result.get("classScores").get("road").asDouble(), 1e-15);
        assertEquals(2.0 / 4, result.get("classScores").get("car").asDouble(), 1e-15);
        assertEquals((8.0 / 9 + 1.0 / 3 + 2.0 / 4) / 3, result.get("averageScoreCategories").asDouble(), 1e-15);
        assertTrue(ImageIO.read(png.toFile()).getWidth() > 600);
        assertEquals("", r.err(), "one frame shows no progress line");
    }

    @Test
    void readsTrainIdPredictionsAndOtherLabelSets() throws Exception {
        int[] train = {
            0, 0, 0, 1,
            0, 1, 1, 1,
            10, 0, 0, 10,
            13, 13, 255, 10};
        LabelPng.write8(img(train), predFile);
        CliRun r = eval("--pred-ids", "train");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("| road          | 0.571 |"), r.out());
        assertTrue(r.out().contains("predictions as train ids"), r.out());

        r = eval("--pred-ids", "train", "--label-set", "rail-20");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("| rail track    |   nan |"), r.out());
    }

    @Test
    void showsProgressForManyFrames() throws Exception {
        for (int f = 1; f <= 11; f++) {
            Path dir = gt.resolve("gtFine/val/bonn");
            String id = String.format("bonn_000000_%06d", f);
            LabelPng.write8(img(GT), dir.resolve(id + "_gtFine_labelIds.png"));
            LabelPng.write16(img(GT), dir.resolve(id + "_gtFine_instanceIds.png"));
            LabelPng.write8(img(GT), pred.resolve(id + ".png"));
        }
        CliRun r = eval();
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("eval [####################] 100%  12/12 frames"), r.err());
        assertTrue(r.out().contains("Evaluated 12 frame(s)"), r.out());
    }

    @Test
    void runsAnOnnxModelOnTheSplitItself() throws Exception {
        Path scenes = tmp.resolve("scenes");
        SceneWriter.writeScenes(SceneGenerator.builder().setSize(256, 128).optKind(SceneKind.RAIL).optSeed(5).build(),
                scenes, "val", 2, 1, ProgressListener.none());
        ModelDirectory bundled = BootstrapModel.extractBundled(tmp.resolve("bootstrap"));
        Path model = bundled.dir();
        String id = bundled.readManifest().id();
        CliRun r = run("eval", "--gt", scenes.toString(), "--model", model.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Evaluated 2 frame(s) of " + scenes.resolve("gtFine/val") + " with model "
                + id + " (" + model + ", label set rail-20)"), r.out());
        assertTrue(r.out().contains("| rail track    | 0."), "rail-20 scores rail track: " + r.out());

        Path json = tmp.resolve("bundled.json");
        CliRun one = run("eval", "--gt", scenes.toString(), "--model", "bundled", "--frames", "1", "--json",
                json.toString());
        assertTrue(one.out().startsWith("Evaluated 1 frame(s)"), one.out());
        assertEquals(id, JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .build().readTree(json.toFile()).get("model").asText(), "the JSON names the model it scored");

        CliRun jpeg = run("eval", "--gt", scenes.toString(), "--model", model.toString(), "--jpeg-quality", "90",
                "--jpeg-decoder", "ffmpeg");
        assertEquals(0, jpeg.exit(), jpeg.err());
        assertTrue(jpeg.out().contains("\nEvery frame went through JPEG at quality 90 and the FFmpeg MJPEG decoder.\n"),
                jpeg.out());
        assertTrue(jpeg.out().contains("| rail track    | 0."), jpeg.out());
        assertEquals("--jpeg-quality needs --model: predictions read from --pred were made already", failure(run(
                "eval", "--gt", scenes.toString(), "--pred", pred.toString(), "--jpeg-quality", "90")));
        assertEquals("--jpeg-quality must be 1..100, or 0 for none, got 101", failure(run("eval", "--gt",
                scenes.toString(), "--model", model.toString(), "--jpeg-quality", "101")));

        CliRun both = run("eval", "--gt", scenes.toString(), "--model", model.toString(), "--pred", pred.toString());
        assertEquals(2, both.exit());
        assertTrue(both.err().contains("--pred=DIR, --model=DIR are mutually exclusive"), both.err());
    }

    @Test
    void scoresAlertsOfTheRulesOnPredictionsAgainstThoseOnGroundTruth() throws Exception {
        // one drive of 20 frames; a person (4 of 16 pixels) in ground truth at frames 3-6 and 12-13, predicted at
        // frames 4-7 and 16-17. Rule: a quarter of the frame raises, less clears, no debounce or cooldown.
        Path rules = tmp.resolve("rules.yaml");
        Files.writeString(rules, """
                label_set: rail-20
                zones:
                  all:
                    default: [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]
                rules:
                  - id: person-anywhere
                    severity: CRITICAL
                    classes: [person]
                    zone: all
                    min_fraction: 0.25
                    debounce: {at_least: 1, of: 1}
                    clear: {fraction: 0.25, at_most: 0, of: 1}
                    cooldown_frames: 0
                """);
        Path drive = tmp.resolve("drive");
        Path predicted = tmp.resolve("drive-pred");
        Files.createDirectories(predicted);
        for (int f = 0; f < 20; f++) {
            String id = String.format("bonn_000000_%06d", f);
            boolean inTruth = (f >= 3 && f <= 6) || f == 12 || f == 13;
            boolean inPrediction = (f >= 4 && f <= 7) || f == 16 || f == 17;
            LabelPng.write8(img(withPerson(inTruth)),
                    drive.resolve("gtFine/train/bonn/" + id + "_gtFine_labelIds.png"));
            LabelPng.write8(img(withPerson(inPrediction)), predicted.resolve(id + ".png"));
        }
        CliRun r = run("eval", "--gt", drive.toString(), "--split", "train", "--pred", predicted.toString(), "--rules",
                rules.toString(), "--alert-tolerance", "2");
        assertEquals(0, r.exit(), r.err());
        // truth 3-7 and 12-14, predicted 4-8 (raise and clear 1 frame late: match) and 16-18 (a false alert; the
        // truth at 12 has no prediction within 2 frames)
        assertTrue(r.out().contains("Alerts of rules " + rules + " on ground truth and predictions (1 drive(s)"),
                r.out());
        assertTrue(r.out().contains("\nalert precision: 0.500\nalert recall: 0.500\n"), r.out());
        assertTrue(r.out().contains("\nalert clear precision: 0.500\nalert clear recall: 0.500\n"), r.out());
        assertTrue(r.out().contains("\nalerts left raised after their cause: 0\n"), r.out());
        assertTrue(r.out().contains("alert raises: 2 predicted, 2 in ground truth, 1 matched within 2 frames"),
                r.out());
        assertTrue(r.out().contains("  false alert: person-anywhere on bonn_000000 raised at seq 16, cleared at seq 18"),
                r.out());
        assertTrue(r.out().contains("  missed: person-anywhere on bonn_000000 raised at seq 12, cleared at seq 14"),
                r.out());
        // per rule: truth, predicted, matched, raised late, precision, recall, median raise offset
        assertTrue(r.out().lines().anyMatch(l -> l.matches(
                "person-anywhere +2 +2 +1 +0 +0\\.500 +0\\.500 +\\+1\\.0 frames")), r.out());

        Path json = tmp.resolve("alerts.json");
        CliRun withJson = run("eval", "--gt", drive.toString(), "--split", "train", "--pred", predicted.toString(),
                "--rules", rules.toString(), "--alert-tolerance", "2", "--json", json.toString());
        assertEquals(0, withJson.exit(), withJson.err());
        JsonNode alerts = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                .readTree(json.toFile()).get("alerts");
        assertEquals(2, alerts.get("toleranceFrames").asInt());
        assertEquals(0.5, alerts.get("precision").asDouble());
        assertEquals(0.5, alerts.get("recall").asDouble());
        assertEquals(List.of(2, 2, 1), List.of(alerts.get("predicted").asInt(), alerts.get("truth").asInt(),
                alerts.get("matched").asInt()));
        JsonNode rule = alerts.get("rules").get(0);
        assertEquals("person-anywhere", rule.get("rule").asText());
        assertEquals(1.0, rule.get("medianRaiseOffset").asDouble());
        assertEquals(0, rule.get("raisedLate").asInt());

        CliRun wide = run("eval", "--gt", drive.toString(), "--split", "train", "--pred", predicted.toString(),
                "--rules", rules.toString(), "--alert-tolerance", "4");
        assertTrue(wide.out().contains("\nalert precision: 1.000\nalert recall: 1.000\n"),
                "at 4 frames the raise at 16 matches the one at 12: " + wide.out());

        assertEquals("--alert-tolerance must be 0 or more frames, got -1", failure(run("eval", "--gt",
                drive.toString(), "--split", "train", "--pred", predicted.toString(), "--rules", "railway",
                "--alert-tolerance", "-1")));
    }

    /** The ground-truth frame with its top row (4 of 16 pixels) a person (label id 24) or left as it is. */
    private static int[] withPerson(boolean person) {
        int[] v = GT.clone();
        if (person) {
            Arrays.fill(v, 0, 4, 24);
        }
        return v;
    }

    /** A failed run prints exactly one line: the command name and a sentence. */
    private static String failure(CliRun r) {
        assertEquals(1, r.exit(), r.out() + r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("segstream eval: "), lines.get(0));
        return lines.get(0).substring("segstream eval: ".length());
    }

    @Test
    void missingAndDuplicatePredictionsNameTheImage() throws Exception {
        Files.delete(predFile);
        assertEquals("no prediction for aachen_000000_000019 (ground truth " + gtFile + "): expected one PNG under "
                + pred + " whose name starts with aachen_000000_000019", failure(eval()));

        LabelPng.write8(img(PRED), predFile);
        Path other = pred.resolve("model-b/aachen_000000_000019.png");
        LabelPng.write8(img(PRED), other);
        assertEquals("2 predictions for aachen_000000_000019 under " + pred + " (" + predFile + ", " + other
                + "); keep exactly one PNG whose name starts with aachen_000000_000019", failure(eval()));
    }

    @Test
    void badPredictionsNameTheFile() throws Exception {
        LabelPng.writeRgb(4, 4, new int[16], predFile);
        assertEquals(predFile + ": expected a single-channel label PNG but it has 3 channels", failure(eval()));

        LabelPng.write8(new LabelImage(2, 2, new int[] {7, 7, 7, 7}), predFile);
        assertEquals("size mismatch: prediction " + predFile + " is 2x2 but its ground truth " + gtFile + " is 4x4",
                failure(eval()));

        int[] unknown = PRED.clone();
        unknown[15] = 40;
        LabelPng.write8(img(unknown), predFile);
        assertEquals(predFile + ": prediction pixel (3, 3) holds label id 40, which is not a Cityscapes label id"
                + " (0..33; predictions are read as label ids)", failure(eval()));

        LabelPng.write8(img(PRED), predFile);
        assertEquals(predFile + ": prediction pixel (0, 2) holds train id 23, which label set 'cityscapes-19' does not"
                + " define (0..18 or 255; predictions are read as train ids)", failure(eval("--pred-ids", "train")));

        Files.write(predFile, new byte[] {'n', 'o', 't', ' ', 'p', 'n', 'g'});
        assertEquals(predFile + ": not a readable PNG image", failure(eval()));
    }

    @Test
    void badGroundTruthAndOptionsAreExplained() throws Exception {
        Path nowhere = tmp.resolve("nowhere");
        assertEquals("Cityscapes root " + nowhere + " does not exist or is not a folder; pass the folder that holds"
                + " leftImg8bit/ and gtFine/", failure(run("eval", "--gt", nowhere.toString(), "--pred", pred.toString())));

        assertEquals("split 'train' not found: " + gt.resolve("gtFine/train") + " does not exist (gtFine/ has val)",
                failure(eval("--split", "train")));

        assertEquals("unknown label set 'rail-21'; known sets are cityscapes-19, cityscapes-34, rail-20",
                failure(eval("--label-set", "rail-21")));

        LabelPng.write8(img(GT), gtFile.resolveSibling("aachen_000000_000019_gtFine_instanceIds.png"));
        assertEquals(gtFile.resolveSibling("aachen_000000_000019_gtFine_instanceIds.png") + ": instanceIds must be a"
                + " single-channel 16-bit PNG but it has 1 channel(s) of 8 bits", failure(eval()));

        CliRun r = eval("--pred-ids", "class");
        assertEquals(2, r.exit(), "picocli rejects an unknown enum value");
        assertTrue(r.err().contains("--pred-ids"), r.err());
        CliRun neither = run("eval", "--gt", gt.toString());
        assertEquals(2, neither.exit(), "--pred or --model is required");
        assertTrue(neither.err().contains("(--pred=DIR | --model=DIR)"), neither.err());
    }

    @Test
    void helpDescribesTheCommand() {
        CliRun r = run("eval", "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("--pred-ids=label|train"), r.out());
        assertTrue(r.out().contains("Scores predictions against Cityscapes ground truth"), r.out());
    }
}
