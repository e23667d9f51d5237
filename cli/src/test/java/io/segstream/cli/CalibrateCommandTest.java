package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.OneByOneConvModel;
import io.segstream.core.onnx.SmallConvNet;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrateCommandTest {
    @TempDir
    Path tmp;
    Path model;
    Path scenes;

    @BeforeEach
    void writeModelAndScenes() throws Exception {
        model = SmallConvNet.write(tmp.resolve("small"), 48, 32);
        scenes = tmp.resolve("scenes");
        CliRun r = CliRun.of("scenes", "--out", scenes.toString(), "--count", "5", "--size", "96x64", "--kind", "rail",
                "--seed", "4", "--split", "val");
        assertEquals(0, r.exit(), r.err());
    }

    @Test
    void writesTheModelWithItsOffsetsBuiltInAndSaysWhatTheyDid() throws Exception {
        Path out = tmp.resolve("small-cal");
        CliRun r = CliRun.of("calibrate", "--model", model.toString(), "--data", scenes.toString(), "--frames", "4",
                "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Calibrated small-convnet:1 on 4 frame(s) of " + scenes + " (val): mIoU "),
                r.out());
        assertTrue(r.out().contains("| road "), r.out());
        assertTrue(r.out().contains("added to the bias b3 of the last convolution"), r.out());
        assertTrue(r.err().contains("scored 4/4 frames"), r.err());

        ModelDirectory dir = ModelDirectory.at(out);
        ModelManifest m = dir.readManifest();
        dir.readVerifiedModel(m);   // the pinned sha256 matches the file
        assertEquals("1-cal", m.version());
        assertTrue(m.metrics().isEmpty(), "the old metrics are not the calibrated model's: " + m.metrics());
        JsonNode c = m.training().get("calibration");
        assertEquals(4, c.get("frames").asInt());
        assertEquals(19, c.get("offsets").size());
        assertEquals(0.5, c.get("uncalibratedMetrics").get("miou").asDouble());
        assertTrue(c.get("miouAfter").asDouble() >= c.get("miouBefore").asDouble(), c.toString());
        assertTrue(c.get("maxScoreError").asDouble() <= 1e-3, c.toString());
        assertTrue(m.description().startsWith("a test network. Class scores of small-convnet:1 offset per class"),
                m.description());

        CliRun again = CliRun.of("calibrate", "--model", model.toString(), "--data", scenes.toString(),
                "--out", out.toString(), "--version", "2");
        assertEquals(1, again.exit());
        assertEquals("segstream calibrate: " + out + " already holds a model.onnx; choose a new --out directory\n",
                again.err());
    }

    @Test
    void refusesToHoldMoreScoresThanTheHeapCanSpare() {
        long perFrame = CalibrateCommand.bytesPerFrame(20, 512 * 256);
        assertEquals((4L * 20 + 9) * 512 * 256 * 5 / 4, perFrame);
        CalibrateCommand.checkMemory(10, perFrame, 1L << 30);   // 10 frames of 14 MB in 1 GB: fits
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CalibrateCommand.checkMemory(100, perFrame, 1L << 30));
        assertEquals("calibrating on 100 frame(s) holds about 1390 MB of class scores, more than the 1024 MB this JVM"
                + " can spare; pass --frames 58 or fewer, or give Java more memory (SEGSTREAM_JAVA_OPTS=-Xmx...)",
                e.getMessage());
    }

    @Test
    void refusesDataThatIsNotACityscapesRootAndModelsWithoutScores() throws Exception {
        CliRun r = CliRun.of("calibrate", "--model", model.toString(), "--data", tmp.toString(),
                "--out", tmp.resolve("x").toString());
        assertEquals(1, r.exit());
        assertEquals("segstream calibrate: " + tmp + " is not a Cityscapes root (no leftImg8bit folder); give frames"
                + " with gtFine labels, e.g. from segstream scenes\n", r.err());

        ModelManifest idsManifest = ModelManifest.builder().setName("ids").setVersion("1").setLabelSet("cityscapes-19")
                .setInput("image", 16, 8, Layout.NCHW)
                .setNormalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f})
                .setOutput("ids", OutputKind.CLASS_IDS_NHW).build();
        Path ids = OneByOneConvModel.of("ids", 19, 16, 8).output("ids").classIds(DataType.INT64)
                .write(tmp.resolve("ids"), idsManifest);
        CliRun noScores = CliRun.of("calibrate", "--model", ids.toString(), "--data", scenes.toString(),
                "--out", tmp.resolve("y").toString());
        assertEquals(1, noScores.exit());
        assertTrue(noScores.err().startsWith("segstream calibrate: " + ids + " outputs class ids (CLASS_IDS_NHW);"),
                noScores.err());
        assertFalse(Files.exists(tmp.resolve("y")));
    }
}
