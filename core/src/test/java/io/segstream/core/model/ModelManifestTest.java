package io.segstream.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.segstream.core.model.ModelManifest.ChannelOrder;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelManifestTest {
    private static ModelManifest sample() {
        return ModelManifest.builder()
                .setName("bootstrap-rail").setVersion("1").setLabelSet("rail-20")
                .setInput("image", 512, 256, Layout.NCHW)
                .setNormalization(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f})
                .setOutput("logits", OutputKind.LOGITS_NCHW)
                .optMetrics(Map.of("miou", 0.42))
                .optTraining(JsonNodeFactory.instance.objectNode().put("epochs", 3))
                .optDescription("a baseline").optBaseline(true)
                .build();
    }

    @Test
    void jsonRoundTripKeepsEveryField(@TempDir Path dir) throws Exception {
        ModelManifest m = sample().toBuilder().optSha256("a".repeat(64)).build();
        Path file = dir.resolve("model.json");
        m.write(file);
        ModelManifest back = ModelManifest.read(file);
        assertEquals(m, back);
        assertEquals("bootstrap-rail:1", back.id());
        assertEquals(512, back.inputWidth());
        assertEquals(256, back.inputHeight());
        assertEquals(Layout.NCHW, back.layout());
        assertEquals(ChannelOrder.RGB, back.channelOrder());
        assertArrayEquals(new float[] {0.229f, 0.224f, 0.225f}, back.std());
        assertEquals(0.42, back.metrics().get("miou"));
        assertEquals(3, back.training().get("epochs").asInt());
        assertEquals("a".repeat(64), back.sha256().orElseThrow());
        assertTrue(back.baseline());
        assertEquals(20, back.labelSet().numClasses());
    }

    @Test
    void optionalFieldsTakeDefaultsAndUnknownFieldsAreIgnored() throws Exception {
        ModelManifest m = ModelManifest.parse("""
                {"name": "foreign", "version": "7", "labelSet": "cityscapes-19", "inputName": "input_1",
                 "inputWidth": 2048, "inputHeight": 1024, "layout": "nhwc", "mean": [0, 0, 0],
                 "std": [1, 1, 1], "outputName": "argmax", "outputKind": "CLASS_IDS_NHW", "exporter": "tf2onnx"}
                """, "inline");
        assertEquals(Layout.NHWC, m.layout());
        assertEquals(ChannelOrder.RGB, m.channelOrder());
        assertFalse(m.baseline());
        assertTrue(m.sha256().isEmpty());
        assertTrue(m.metrics().isEmpty());
    }

    @Test
    void missingFieldsAreListedWithWhatToSet() {
        ModelException e = assertThrows(ModelException.class,
                () -> ModelManifest.parse("{\"name\": \"m\"}", "models/m/model.json"));
        String msg = e.getMessage();
        assertTrue(msg.startsWith("models/m/model.json: the model manifest is not usable: "), msg);
        for (String expected : new String[] {
            "version is missing: set it to a version",
            "labelSet is missing: set it to one of cityscapes-19, cityscapes-34, rail-20",
            "inputName is missing", "outputName is missing",
            "inputWidth is missing: set it to the width in pixels the model takes",
            "inputHeight is missing", "layout is missing: set it to NCHW or NHWC",
            "outputKind is missing: set it to LOGITS_NCHW (scores per class) or CLASS_IDS_NHW (class ids)",
            "mean is missing: give 3 numbers", "std is missing"}) {
            assertTrue(msg.contains(expected), "'" + expected + "' not in: " + msg);
        }
    }

    @Test
    void contradictoryValuesSayWhatToFix() {
        String json = """
                {"name": "m", "version": "1", "labelSet": "mapillary", "inputName": "x", "inputWidth": "wide",
                 "inputHeight": -4, "layout": "CHW", "mean": [0.5, 0.5], "std": [0.2, 0, 0.2],
                 "outputName": "y", "outputKind": "LOGITS_NCHW", "sha256": "ABC", "metrics": {"miou": "high"}}
                """;
        ModelException e = assertThrows(ModelException.class, () -> ModelManifest.parse(json, "m.json"));
        String msg = e.getMessage();
        for (String expected : new String[] {
            "labelSet 'mapillary' is unknown: use one of cityscapes-19, cityscapes-34, rail-20",
            "inputWidth must be a whole number of pixels, got \"wide\"",
            "inputHeight must be positive, got -4",
            "layout must be one of [NCHW, NHWC], got \"CHW\"",
            "mean has 2 values but an RGB input needs 3, one per channel",
            "std [0.2, 0.0, 0.2] must hold finite numbers above 0",
            "sha256 must be 64 lower-case hex digits",
            "metric 'miou' must be a number, got \"high\""}) {
            assertTrue(msg.contains(expected), "'" + expected + "' not in: " + msg);
        }
        assertFalse(msg.contains("inputWidth is missing"), msg);
    }

    @Test
    void absurdSizesAreRefusedBeforeAnythingIsAllocated(@TempDir Path dir) throws Exception {
        String json = """
                {"name": "m", "version": "1", "labelSet": "rail-20", "inputName": "x", "inputWidth": 2000000000,
                 "inputHeight": 8000, "layout": "NCHW", "outputName": "y", "outputKind": "LOGITS_NCHW"}
                """;
        ModelException e = assertThrows(ModelException.class, () -> ModelManifest.parse(json, "m.json"));
        assertTrue(e.getMessage().contains("inputWidth 2000000000 is beyond the 8192 pixels a model may take"),
                e.getMessage());
        String wide = json.replace("2000000000", "8000");
        ModelException pixels = assertThrows(ModelException.class, () -> ModelManifest.parse(wide, "m.json"));
        assertTrue(pixels.getMessage().contains("input 8000x8000 is beyond the 16777216 pixels"), pixels.getMessage());

        Path file = dir.resolve("model.json");
        Files.writeString(file, "{\"name\": \"" + "m".repeat(ModelManifest.MAX_MANIFEST_BYTES) + "\"}");
        ModelException big = assertThrows(ModelException.class, () -> ModelManifest.read(file));
        assertTrue(big.getMessage().contains("a model.json may have at most 1048576"), big.getMessage());
    }

    @Test
    void notJsonAndMissingFileAreClearErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.json");
        ModelException missing = assertThrows(ModelException.class, () -> ModelManifest.read(file));
        assertTrue(missing.getMessage().contains("the model manifest is missing"), missing.getMessage());
        Files.writeString(file, "{\"name\": ");
        ModelException broken = assertThrows(ModelException.class, () -> ModelManifest.read(file));
        assertTrue(broken.getMessage().startsWith(file + ": the model manifest is not valid JSON"),
                broken.getMessage());
    }

    @Test
    void builderRejectsWhatParsingRejects() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sample().toBuilder().setLabelSet("coco").build());
        assertEquals("model manifest is not usable: labelSet 'coco' is unknown: use one of cityscapes-19, "
                + "cityscapes-34, rail-20", e.getMessage());
    }

    @Test
    void directoryPinsAndVerifiesTheChecksum(@TempDir Path dir) throws Exception {
        byte[] onnx = {1, 2, 3};
        ModelDirectory d = ModelDirectory.write(dir.resolve("m"), onnx, sample());
        ModelManifest m = d.readManifest();
        // SHA-256 of the bytes 01 02 03
        assertEquals("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81", m.sha256().orElseThrow());
        assertArrayEquals(onnx, d.readVerifiedModel(m));
        Files.write(d.modelFile(), new byte[] {1, 2, 4});
        ModelException e = assertThrows(ModelException.class, () -> d.readVerifiedModel(m));
        assertTrue(e.getMessage().contains("does not match the manifest's 0390"), e.getMessage());
    }
}
