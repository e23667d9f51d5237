package io.segstream.training.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import io.segstream.core.labels.LabelSet;
import io.segstream.training.data.InMemorySource;
import io.segstream.training.data.ToyScenes;
import io.segstream.training.data.TrainingSample;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prediction from a checkpoint: Cityscapes result folders, MC-dropout uncertainty, LR finder and models table. */
class PredictorTest {
    @TempDir
    Path tmp;

    private Trainer.Outcome train(String model) throws Exception {
        Map<String, Object> o = new HashMap<>();
        o.put("model", model);
        o.put("width", 64);
        o.put("height", 32);
        o.put("widthMultiplier", 0.0625);
        o.put("batch", 2);
        o.put("epochs", 1);
        o.put("loaderThreads", 1);
        o.put("runsDir", tmp.resolve("runs").toString());
        return new Trainer(TrainConfig.of(o), new InMemorySource(ToyScenes.make(4, 80, 40, 5)),
                new InMemorySource(ToyScenes.make(2, 80, 40, 6)), new PrintStream(new ByteArrayOutputStream())).run();
    }

    @Test
    void writesLabelIdsColourOverlayAndUncertaintyWithTheInputNames() throws Exception {
        Trainer.Outcome out = train("bayes_segnet");
        Predictor p = Predictor.load(out.lastCheckpoint(), 0, 0, 4);
        assertTrue(p.monteCarlo());
        TrainingSample image = ToyScenes.make(1, 100, 50, 9).get(0);
        Predictor.Prediction prediction = p.predict(image);
        assertEquals(100 * 50, prediction.classIds().length);
        Path results = tmp.resolve("results");
        new PredictionWriter(results, LabelSet.named("cityscapes-19"))
                .write("toy_000000_000019_leftImg8bit.png", image, prediction);
        for (String dir : List.of("labelIds", "color", "overlay", "uncertainty")) {
            assertTrue(Files.isRegularFile(results.resolve(dir).resolve("toy_000000_000019_leftImg8bit.png")), dir);
        }
        LabelImage ids = LabelPng.read8(results.resolve("labelIds").resolve("toy_000000_000019_leftImg8bit.png"));
        assertEquals(100, ids.width());
        LabelSet set = LabelSet.named("cityscapes-19");
        for (int v : ids.values()) {
            assertTrue(set.classIdOfLabelId(v) < 19, "official label ids of train classes");
        }
        BufferedImage overlay = ImageIO.read(results.resolve("overlay/toy_000000_000019_leftImg8bit.png").toFile());
        int[] palette = set.classPalette();
        for (int i : new int[] {0, 2525, 4999}) {
            int c = palette[prediction.classIds()[i] & 0xFF];
            int o = overlay.getRGB(i % 100, i / 100);
            for (int shift : new int[] {16, 8, 0}) {
                int expected = ((image.rgb()[3 * i + (16 - shift) / 8] & 0xFF) + (c >> shift & 0xFF)) / 2;
                assertEquals(expected, o >> shift & 0xFF, "overlay is image and class colour half and half");
            }
        }
        float max = 0;
        for (float u : prediction.uncertainty()) {
            assertTrue(u >= 0 && u <= 1);
            max = Math.max(max, u);
        }
        assertTrue(max > 0, "Monte-Carlo samples disagree somewhere");

        Predictor single = Predictor.load(out.lastCheckpoint(), 0, 0, 1);
        assertEquals(null, single.predict(image).uncertainty());
    }

    @Test
    void predictsAtAnotherSizeWithTheSameWeights() throws Exception {
        Trainer.Outcome out = train("deeplabv3+");
        Predictor p = Predictor.load(out.lastCheckpoint(), 96, 48, 1);
        assertEquals(96, p.config().width());
        assertEquals(70 * 30, p.predict(ToyScenes.make(1, 70, 30, 3).get(0)).classIds().length);
    }

    @Test
    void learningRateFinderSweepsAndSuggestsARange() throws Exception {
        Map<String, Object> o = new HashMap<>();
        o.put("model", "deeplabv3+");
        o.put("width", 64);
        o.put("height", 32);
        o.put("widthMultiplier", 0.0625);
        o.put("batch", 2);
        o.put("loaderThreads", 1);
        Path plot = tmp.resolve("lrfinder.png");
        LrFinder.Result r = LrFinder.run(TrainConfig.of(o), "sgd", 1e-5, 10, 12,
                new InMemorySource(ToyScenes.make(8, 64, 32, 1)), plot, new PrintStream(new ByteArrayOutputStream()));
        assertTrue(Files.size(plot) > 1000);
        assertTrue(r.learningRates().length >= 6 && r.learningRates().length <= 12);
        assertEquals(1e-5, r.learningRates()[0], 1e-12);
        assertTrue(r.suggestedMin() < r.suggestedMax(), r.suggestedMin() + " < " + r.suggestedMax());
    }

    @Test
    void modelsTableListsEveryVariant() {
        List<ModelTable.Row> rows = ModelTable.rows(19, 2048, 1024);
        assertEquals(List.of("fastscnn", "unet", "separable_unet", "deeplabv3+-mobilenetv2", "deeplabv3+-xception",
                "bayes_segnet", "fcn8-mobilenetv2", "fcn8-resnet18", "fcn8-vgg16", "icnet"),
                rows.stream().map(ModelTable.Row::model).toList());
        ModelTable.Row unet = rows.get(1);
        assertEquals(16, unet.outputStride());
        assertTrue(unet.params() > 30_000_000 && unet.gflops() > rows.get(0).gflops());
        assertTrue(ModelTable.format(rows, 2048, 1024).contains("GFLOPs@2048x1024"));
    }
}
