package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.onnx.SmallConvNet;
import io.segstream.core.scenes.SceneGenerator;
import io.segstream.core.scenes.SceneKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizeCommandTest {
    @TempDir
    Path tmp;
    Path model;
    Path frames;

    @BeforeEach
    void writeModelAndFrames() throws Exception {
        model = SmallConvNet.write(tmp.resolve("small"), 48, 32);
        frames = tmp.resolve("frames");
        Files.createDirectories(frames.resolve("nested"));
        SceneGenerator gen = SceneGenerator.builder().setSize(96, 64).optKind(SceneKind.RAIL).optSeed(3).build();
        for (int i = 0; i < 6; i++) {
            Path dir = i % 2 == 0 ? frames : frames.resolve("nested");
            ImageIO.write(gen.render(i).toImage(), "png", dir.resolve("frame-" + i + ".png").toFile());
        }
    }

    @Test
    void writesAVerifiedInt8ModelAndItsManifest() throws Exception {
        Path out = tmp.resolve("small-int8");
        CliRun r = CliRun.of("quantize", "--model", model.toString(), "--calibration", frames.toString(),
                "--out", out.toString(), "--frames", "4", "--method", "minmax");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Quantized small-convnet:1 with min-max ranges of 3 convolution input(s) from 4"
                + " frame(s) of " + frames + "; checked on 1 held-out frame(s)."), r.out());
        assertTrue(r.out().contains("| FP32 small-convnet:1"), r.out());
        assertTrue(r.out().contains("| INT8 small-convnet:1-int8"), r.out());
        Matcher kernels = Pattern.compile("optimised INT8 graph runs (\\d+) integer").matcher(r.out());
        assertTrue(kernels.find(), r.out());
        assertTrue(Integer.parseInt(kernels.group(1)) > 0, r.out());
        assertTrue(r.out().contains("load average"), r.out());

        ModelDirectory dir = ModelDirectory.at(out);
        ModelManifest m = dir.readManifest();
        assertEquals("1-int8", m.version());
        assertEquals("small-convnet", m.name());
        byte[] onnx = dir.readVerifiedModel(m); // the pinned sha256 matches the file
        assertTrue(onnx.length < Files.size(model.resolve(ModelDirectory.MODEL_FILE)));
        assertEquals("min-max", m.training().get("quantization").get("method").asText());
        double agreement = m.training().get("quantization").get("argmaxAgreement").asDouble();
        assertTrue(agreement >= 0.99, "agreement " + agreement);
        assertTrue(m.description().startsWith("a test network. INT8 QDQ of small-convnet:1"), m.description());
        assertEquals(ModelManifest.read(model.resolve(ModelDirectory.MANIFEST_FILE)).inputWidth(), m.inputWidth());
        assertTrue(m.metrics().isEmpty(), "the FP32 metrics are not the INT8 model's: " + m.metrics());
        assertEquals(0.5, m.training().get("quantization").get("fp32Metrics").get("miou").asDouble());

        CliRun again = CliRun.of("quantize", "--model", model.toString(), "--calibration", frames.toString(),
                "--out", out.toString());
        assertEquals(1, again.exit());
        assertEquals("segstream quantize: " + out + " already holds a model.onnx; choose a new --out directory\n",
                again.err());
    }

    @Test
    void refusesBelowTheAgreementThresholdAndWritesNothing() {
        Path out = tmp.resolve("refused");
        CliRun r = CliRun.of("quantize", "--model", model.toString(), "--calibration", frames.toString(),
                "--out", out.toString(), "--frames", "4", "--min-agreement", "1.01", "--max-float", "0");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("segstream quantize: the INT8 model of small-convnet:1 agrees with FP32 on "),
                r.err());
        assertTrue(r.err().contains("below --min-agreement 1.01, so nothing was written"), r.err());
        assertEquals(1, r.err().lines().count(), "one sentence: " + r.err());
        assertFalse(Files.exists(out), "nothing is written");
    }

    @Test
    void mixedPrecisionLeavesTheMostSensitiveInputsInFloatBeforeItRefuses() {
        Path out = tmp.resolve("mixed");
        CliRun r = CliRun.of("quantize", "--model", model.toString(), "--calibration", frames.toString(),
                "--out", out.toString(), "--frames", "4", "--min-agreement", "1.01", "--max-float", "2");
        assertEquals(1, r.exit());
        // two inputs tried in float, each reported with its cost alone, then one sentence
        List<String> lines = r.err().lines().toList();
        assertEquals(3, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("left ") && lines.get(0).contains(" in float (alone it cost "), r.err());
        assertTrue(lines.get(2).contains("with 2 convolution input(s) left in float, below --min-agreement 1.01"),
                r.err());
        assertFalse(Files.exists(out), "nothing is written");
    }

    @Test
    void badInputsGetOneSentence() throws Exception {
        Path out = tmp.resolve("out");
        CliRun missing = CliRun.of("quantize", "--model", tmp.resolve("nope").toString(), "--calibration",
                frames.toString(), "--out", out.toString());
        assertEquals(1, missing.exit());
        assertEquals("segstream quantize: " + tmp.resolve("nope") + ": no such model directory; it must hold"
                + " model.onnx and model.json\n", missing.err());

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        CliRun none = CliRun.of("quantize", "--model", model.toString(), "--calibration", empty.toString(),
                "--out", out.toString());
        assertEquals(1, none.exit());
        assertEquals("segstream quantize: " + empty + " holds no PNG or JPEG image to calibrate on; give a folder of"
                + " frames like those the model will see\n", none.err());
        assertFalse(Files.exists(out));
    }
}
