package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.SmallConvNet;
import io.segstream.core.onnx.UpsamplingTail;
import io.segstream.core.onnx.proto.Onnx.ModelProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.core.segment.Segmentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TtaCommandTest {
    @TempDir
    Path tmp;

    @Test
    void composesMembersIntoOneModelThatServes() throws Exception {
        Path small = SmallConvNet.write(tmp.resolve("small"), 48, 32);
        Path large = SmallConvNet.write(tmp.resolve("large"), 96, 64);
        Path out = tmp.resolve("tta");
        CliRun r = CliRun.of("tta", "-m", small.toString(), "-m", large.toString(), "--flip", "--out",
                out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Composed small-convnet:1-tta: 2 member(s) plain and mirrored, frames at 96x64,"
                + " scores at 48x32."), r.out());
        assertTrue(r.out().contains("| small-convnet:1-tta | 96x64 |"), r.out());
        assertTrue(r.err().contains(small + " does not end in an upsampling of its scores, so every member's scores are"
                + " averaged after its own upsampling"), r.err());

        ModelDirectory dir = ModelDirectory.at(out);
        ModelManifest m = dir.readManifest();
        dir.readVerifiedModel(m);
        assertEquals("1-tta", m.version());
        assertEquals(96, m.inputWidth());
        assertEquals(OutputKind.LOGITS_NCHW, m.outputKind());
        assertTrue(m.metrics().isEmpty(), "the members' metrics are not the composed model's: " + m.metrics());
        JsonNode tta = m.training().get("tta");
        assertTrue(tta.get("flip").asBoolean());
        assertEquals("96x64", tta.get("members").get(1).get("input").asText());
        // the same network at two sizes: its weights once
        List<String> initializers = ModelProto.parseFrom(Files.readAllBytes(dir.modelFile())).getGraph()
                .getInitializerList().stream().map(TensorProto::getName).toList();
        assertTrue(initializers.contains("m0_w1"), initializers.toString());
        assertFalse(initializers.contains("m1_w1"), initializers.toString());

        try (OnnxSegmenter seg = OnnxSegmenter.open(out, SegmenterOptions.defaults())) {
            Segmentation s = seg.segment(SmallConvNet.picture(96, 64, 3));
            assertEquals(96, s.width());
            assertEquals(64, s.height());
            for (byte id : s.classIds()) {
                assertTrue(id >= 0 && id < SmallConvNet.ACTIVE, "class " + id);
            }
        }
    }

    /** Members that end in a bilinear upsampling are averaged before it, and the one upsampling left is fused. */
    @Test
    void membersThatEndInAnUpsamplingAreAveragedBeforeIt() throws Exception {
        Path small = SmallConvNet.writeUpsampled(tmp.resolve("small"), 48, 32);
        Path large = SmallConvNet.writeUpsampled(tmp.resolve("large"), 96, 64);
        Path before = tmp.resolve("before");
        CliRun r = CliRun.of("tta", "-m", small.toString(), "-m", large.toString(), "--flip", "--out",
                before.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        ModelDirectory dir = ModelDirectory.at(before);
        ModelManifest m = dir.readManifest();
        assertTrue(m.training().get("tta").get("combine").asText().startsWith("mean of class scores before the"
                + " members' final upsampling"), m.training().toString());
        byte[] onnx = dir.readVerifiedModel(m);
        assertEquals(List.of("Resize"), UpsamplingTail.find(onnx, m.outputName()).orElseThrow().nodes());

        Path after = tmp.resolve("after");
        CliRun old = CliRun.of("tta", "-m", small.toString(), "-m", large.toString(), "--flip", "--average-upsampled",
                "--out", after.toString());
        assertEquals(0, old.exit(), old.err());
        assertEquals("mean of class scores, each resized bilinearly (half-pixel centres)",
                ModelDirectory.at(after).readManifest().training().get("tta").get("combine").asText());

        // both serve, and agree on nearly every pixel: the same mean up to how the score grids are interpolated
        try (OnnxSegmenter a = OnnxSegmenter.open(before, SegmenterOptions.defaults());
                OnnxSegmenter b = OnnxSegmenter.open(after, SegmenterOptions.defaults())) {
            byte[] x = a.segment(SmallConvNet.picture(96, 64, 3)).classIds();
            byte[] y = b.segment(SmallConvNet.picture(96, 64, 3)).classIds();
            int same = 0;
            for (int i = 0; i < x.length; i++) {
                same += x[i] == y[i] ? 1 : 0;
            }
            assertTrue(same > 0.9 * x.length, same + " of " + x.length + " pixels agree");
        }
    }

    @Test
    void refusesMembersThatDoNotAgree() throws Exception {
        Path small = SmallConvNet.write(tmp.resolve("small"), 48, 32);
        Path other = tmp.resolve("other");
        ModelDirectory.write(other, SmallConvNet.onnx(48, 32, 9), SmallConvNet.manifest(48, 32).toBuilder()
                .setLabelSet("rail-20").setName("other").build());
        Path out = tmp.resolve("tta");
        CliRun r = CliRun.of("tta", "-m", small.toString(), "-m", other.toString(), "--out", out.toString());
        assertEquals(1, r.exit());
        assertEquals("segstream tta: " + other + " (other:1, rail-20) does not share the first model's label set,"
                + " normalisation and channel order (small-convnet:1, cityscapes-19)\n", r.err());
        assertFalse(Files.exists(out));
    }
}
