package io.segstream.core.scenes.bootstrap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.labels.LabelSet;
import io.segstream.core.model.BootstrapModel;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.scenes.SceneGenerator;
import io.segstream.core.scenes.SceneKind;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled trained model, and the entry point that fits the baseline it replaced. */
class BootstrapModelTest {
    @Test
    void bundledModelIsATrainedNetworkThatClearlyBeatsTheBaselineOnFreshScenes(@TempDir Path dir) throws Exception {
        ModelDirectory d = BootstrapModel.extractBundled(dir.resolve("bundled"));
        ModelManifest m = d.readManifest();
        assertFalse(m.baseline());
        assertEquals(BootstrapModel.NAME, m.name());
        assertEquals("rail-20", m.labelSetName());
        assertEquals("fastscnn", m.training().get("model").asText());
        assertTrue(m.training().get("recipe").asText().startsWith("training-job/recipes/bundled-rail.sh"));
        assertTrue(m.sha256().isPresent());
        assertTrue(m.metrics().get("miou") > 0.4, m.metrics().toString());
        assertTrue(Files.size(d.modelFile()) < 8 << 20, "model.onnx is " + Files.size(d.modelFile()) + " bytes");

        // scenes of a seed the training never saw
        SceneGenerator gen = SceneGenerator.builder().setSize(1024, 512).optKind(SceneKind.RAIL).optSeed(424242)
                .build();
        int classes = LabelSet.named("rail-20").numClasses();
        long[] trained = new long[classes * classes];
        long[] majority = new long[classes * classes];
        int vegetation = LabelSet.named("rail-20").byName("vegetation").trainId();
        try (OnnxSegmenter seg = OnnxSegmenter.open(d.dir(), SegmenterOptions.defaults())) {
            for (int i = 0; i < 3; i++) {
                BootstrapFit.LabelledImage s = BootstrapFit.fromScene(gen.render(i), "scene " + i);
                BootstrapFit.accumulate(trained, classes, s.classIds(), seg.segment(s.image()).classIds());
                byte[] constant = new byte[s.classIds().length];
                Arrays.fill(constant, (byte) vegetation);
                BootstrapFit.accumulate(majority, classes, s.classIds(), constant);
            }
        }
        double miou = BootstrapFit.meanIgnoringNaN(BootstrapFit.classIou(trained, classes));
        double chance = BootstrapFit.meanIgnoringNaN(BootstrapFit.classIou(majority, classes));
        System.out.printf("bundled model mIoU on 3 fresh rail scenes: %.3f (most frequent class everywhere: %.3f)%n",
                miou, chance);
        assertTrue(miou > 0.2 && miou > 15 * chance, "mIoU " + miou + " against " + chance + " for the majority class");
    }

    @Test
    void theAccurateVariantRunsTheBundledWeightsAtTwoSizesAndSeesMore(@TempDir Path dir) throws Exception {
        ModelManifest bundled = BootstrapModel.extractBundled(dir.resolve("bundled")).readManifest();
        ModelDirectory d = BootstrapModel.extractBundledTta(dir.resolve("tta"));
        ModelManifest m = d.readManifest();
        d.readVerifiedModel(m);
        assertEquals(BootstrapModel.NAME, m.name());
        assertEquals(bundled.version() + "-tta", m.version());
        assertEquals(1024, m.inputWidth());
        assertEquals(2, m.training().get("tta").get("members").size());
        assertEquals(bundled.id(), m.training().get("tta").get("members").get(0).get("model").asText());
        assertTrue(m.metrics().get("miou") > bundled.metrics().get("miou"),
                m.metrics() + " against " + bundled.metrics());
        assertTrue(Files.size(d.modelFile()) < 8 << 20, "the two sizes share their weights: "
                + Files.size(d.modelFile()) + " bytes");

        SceneGenerator gen = SceneGenerator.builder().setSize(1024, 512).optKind(SceneKind.RAIL).optSeed(424242)
                .build();
        int classes = LabelSet.named("rail-20").numClasses();
        long[] one = new long[classes * classes];
        long[] two = new long[classes * classes];
        try (OnnxSegmenter single = OnnxSegmenter.open(dir.resolve("bundled"), SegmenterOptions.defaults());
                OnnxSegmenter both = OnnxSegmenter.open(d.dir(), SegmenterOptions.defaults())) {
            for (int i = 0; i < 3; i++) {
                BootstrapFit.LabelledImage s = BootstrapFit.fromScene(gen.render(i), "scene " + i);
                BootstrapFit.accumulate(one, classes, s.classIds(), single.segment(s.image()).classIds());
                BootstrapFit.accumulate(two, classes, s.classIds(), both.segment(s.image()).classIds());
            }
        }
        double a = BootstrapFit.meanIgnoringNaN(BootstrapFit.classIou(one, classes));
        double b = BootstrapFit.meanIgnoringNaN(BootstrapFit.classIou(two, classes));
        System.out.printf("mIoU on 3 fresh rail scenes: bundled %.3f, accurate variant %.3f%n", a, b);
        assertTrue(b > a, "accurate variant " + b + " against bundled " + a);
    }

    @Test
    void modelOptionsNameTheBundledModels(@TempDir Path dir) throws Exception {
        assertEquals("2", ModelDirectory.at(BootstrapModel.resolve(null)).readManifest().version());
        assertEquals("2", ModelDirectory.at(BootstrapModel.resolve(Path.of("bundled"))).readManifest().version());
        assertEquals("2-tta", ModelDirectory.at(BootstrapModel.resolve(Path.of("bundled-tta"))).readManifest()
                .version());
        Path own = BootstrapModel.extractBundled(dir.resolve("own")).dir();
        assertEquals(own, BootstrapModel.resolve(own));
    }

    @Test
    void theEntryPointIsReproducible(@TempDir Path dir) throws Exception {
        BootstrapFit.FitOptions tiny = new BootstrapFit.FitOptions(128, 64, 8, 200, 2, 1e-5f, 7L);
        BootstrapFit.Report a = BootstrapFit.fitOnScenes(dir.resolve("a"), 2, 1, 256, 128, tiny, line -> { });
        BootstrapFit.Report b = BootstrapFit.fitOnScenes(dir.resolve("b"), 2, 1, 256, 128, tiny, line -> { });
        assertArrayEquals(Files.readAllBytes(a.directory().modelFile()), Files.readAllBytes(b.directory().modelFile()));
        assertEquals(a.directory().readManifest(), b.directory().readManifest());
        assertEquals(2, a.directory().readManifest().training().get("trainImages").asInt());
    }
}
