package io.segstream.training.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.imaging.RgbImage;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.scenes.Scene;
import io.segstream.core.scenes.SceneGenerator;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.training.data.BatchEncoder;
import io.segstream.training.data.Normalization;
import io.segstream.training.data.TrainingSample;
import io.segstream.training.model.ModelBuilder;
import io.segstream.training.run.Checkpoints;
import io.segstream.training.run.EpochMetrics;
import io.segstream.training.run.TrainConfig;
import io.segstream.training.run.TrainingState;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A checkpoint exported end to end: the manifest makes OnnxSegmenter see what DL4J saw during training. */
class ModelExporterTest {
    private static final int W = 128;
    private static final int H = 64;

    @TempDir
    static Path tmp;
    static Path checkpoint;
    static ComputationGraph graph;

    @BeforeAll
    static void checkpoint() throws Exception {
        Map<String, Object> options = new HashMap<>(TrainConfig.DEFAULTS);
        options.putAll(Map.of("model", "unet", "width", W, "height", H, "widthMultiplier", 0.125,
                "labelSet", "rail-20"));
        TrainConfig config = TrainConfig.of(options);
        graph = new ComputationGraph(ModelBuilder.builder().setSpec(config.modelSpec()).optSeed(5).build()
                .configuration());
        graph.init();
        ExportParityTest.randomiseBatchNormStatistics(graph, new Random(2));
        EpochMetrics epoch = new EpochMetrics(1, 10, 0.9, 1e-3, 0.8, 0.42, 0.77, 5, 60);
        TrainingState state = new TrainingState(config.toMap(), 2, 0, 10, 0.42, "best.zip", List.of(epoch), List.of());
        checkpoint = tmp.resolve("epoch-001.zip");
        Checkpoints.save(graph, checkpoint, state);
    }

    @Test
    void exportedModelSegmentsLikeDl4jThroughTheManifest() throws Exception {
        ModelExporter.Report r = ModelExporter.builder().setCheckpoint(checkpoint).setOutput(tmp.resolve("unet"))
                .optModel("unet").optVersion("7").build().export();

        assertTrue(r.parity().passed(), r.parity().describe());
        ModelManifest m = r.directory().readManifest();
        assertEquals("unet", m.name());
        assertEquals("7", m.version());
        assertEquals("rail-20", m.labelSetName());
        assertEquals(W, m.inputWidth());
        assertEquals(H, m.inputHeight());
        assertEquals(ModelManifest.OutputKind.LOGITS_NCHW, m.outputKind());
        assertArrayEquals(new float[] {0.485f, 0.456f, 0.406f}, m.mean(), 1e-6f);
        assertArrayEquals(new float[] {0.229f, 0.224f, 0.225f}, m.std(), 1e-6f);
        assertEquals(0.42, m.metrics().get("miou"), 1e-12);
        assertEquals("unet", m.training().path("model").asText());

        Scene scene = SceneGenerator.builder().setSize(W, H).optSeed(99).build().render(0);
        INDArray x = new BatchEncoder(20, Normalization.IMAGENET)
                .features(List.of(new TrainingSample("s", W, H, scene.rgbBytes(), new byte[W * H])));
        long[] expected = Nd4j.argMax(graph.output(false, x)[0], 1).dup('c').data().asLong();
        byte[] actual;
        try (OnnxSegmenter seg = OnnxSegmenter.open(r.directory().dir(), SegmenterOptions.defaults())) {
            actual = seg.segment(RgbImage.ofRgb(W, H, scene.rgbBytes())).classIds();
        }
        int agree = 0;
        for (int i = 0; i < expected.length; i++) {
            agree += expected[i] == (actual[i] & 0xFF) ? 1 : 0;
        }
        assertTrue(agree >= 0.9999 * expected.length, agree + " of " + expected.length + " pixels agree");
    }

    @Test
    void wrongModelOrLabelSetIsRefused() {
        ExportException e = assertThrows(ExportException.class, () -> ModelExporter.builder()
                .setCheckpoint(checkpoint).setOutput(tmp.resolve("x")).optModel("fastscnn").build().export());
        assertTrue(e.getMessage().contains("holds a unet model, not fastscnn"), e.getMessage());
        ExportException l = assertThrows(ExportException.class, () -> ModelExporter.builder()
                .setCheckpoint(checkpoint).setOutput(tmp.resolve("y")).optLabelSet("cityscapes-19").build().export());
        assertTrue(l.getMessage().contains("label set rail-20"), l.getMessage());
    }
}
