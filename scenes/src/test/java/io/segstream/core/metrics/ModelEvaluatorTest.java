package io.segstream.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.datasets.CityscapesDataset;
import io.segstream.core.datasets.CityscapesSample;
import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.ConvParams;
import io.segstream.core.onnx.OnnxGraphBuilder;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import io.segstream.core.scenes.ProgressListener;
import io.segstream.core.scenes.SceneGenerator;
import io.segstream.core.scenes.SceneKind;
import io.segstream.core.scenes.SceneWriter;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scoring an ONNX model on generated road scenes, against hand counts and against the prediction-folder route. */
class ModelEvaluatorTest {
    private static final LabelSet CITYSCAPES = LabelSet.named("cityscapes-19");

    @TempDir
    Path tmp;
    CityscapesDataset dataset;

    @BeforeEach
    void writeScenes() throws Exception {
        Path root = tmp.resolve("scenes");
        SceneWriter.writeScenes(SceneGenerator.builder().setSize(128, 64).optKind(SceneKind.ROAD).optSeed(3).build(),
                root, "val", 3, 1, ProgressListener.none());
        dataset = CityscapesDataset.open(root);
    }

    /**
     * A cityscapes-19 model of 1x1 convolutions: with {@code colourWeights} the strongest of red, green, blue picks
     * road, vegetation or sky; without, every pixel is {@code constantClass}.
     */
    private Path model(String name, boolean colourWeights, int constantClass) throws Exception {
        int classes = CITYSCAPES.numClasses();
        int[] byColour = {CITYSCAPES.byName("road").trainId(), CITYSCAPES.byName("vegetation").trainId(),
            CITYSCAPES.byName("sky").trainId()};
        float[] w = new float[classes * 3];
        float[] b = new float[classes];
        for (int c = 0; c < classes; c++) {
            b[c] = -10f;
        }
        if (colourWeights) {
            for (int colour = 0; colour < 3; colour++) {
                w[byColour[colour] * 3 + colour] = 1f;
                b[byColour[colour]] = 0f;
            }
        } else {
            b[constantClass] = 1f;
        }
        OnnxGraphBuilder g = OnnxGraphBuilder.create(name);
        String x = g.input("image", DataType.FLOAT, 1, 3, 16, 32);
        String logits = g.conv(x, g.initializer("w", w, classes, 3, 1, 1), g.initializer("b", b, classes),
                ConvParams.valid());
        g.output(g.named("logits").identity(logits), DataType.FLOAT, 1, classes, 16, 32);
        ModelManifest m = ModelManifest.builder().setName(name).setVersion("1").setLabelSet(CITYSCAPES.name())
                .setInput("image", 32, 16, Layout.NCHW)
                .setNormalization(new float[] {0, 0, 0}, new float[] {1, 1, 1})
                .setOutput("logits", OutputKind.LOGITS_NCHW).build();
        return ModelDirectory.write(tmp.resolve(name), g.toByteArray(), m).dir();
    }

    @Test
    void aConstantModelScoresItsClassShareOfTheEvaluatedPixels() throws Exception {
        int road = CITYSCAPES.byName("road").trainId();
        long roadPixels = 0;
        long evaluated = 0;
        for (CityscapesSample s : dataset.split("val")) {
            for (int id : s.loadLabelIds().values()) {
                if (!CITYSCAPES.byId(id).ignoreInEval()) {
                    evaluated++;
                    roadPixels += CITYSCAPES.byId(id).name().equals("road") ? 1 : 0;
                }
            }
        }
        assertTrue(roadPixels > 0 && roadPixels < evaluated, "road scenes show road and more");
        List<String> seen = new ArrayList<>();
        EvaluationResult r;
        try (OnnxSegmenter seg = OnnxSegmenter.open(model("all-road", false, road), SegmenterOptions.defaults())) {
            r = ModelEvaluator.builder().setSegmenter(seg).setGroundTruth(dataset)
                    .optProgress((done, total, s) -> seen.add(done + "/" + total)).build().run();
        }
        assertEquals(List.of("1/3", "2/3", "3/3"), seen);
        assertEquals(3, r.frames());
        assertEquals((double) roadPixels / evaluated, r.classIoU("road"), 1e-12);
        assertEquals(0.0, r.classIoU("sky"), 0.0);
    }

    @Test
    void givesTheSameFiguresAsScoringTheModelsPredictionPngs() throws Exception {
        Path pred = tmp.resolve("pred");
        EvaluationResult direct;
        try (OnnxSegmenter seg = OnnxSegmenter.open(model("by-colour", true, 0), SegmenterOptions.defaults())) {
            direct = ModelEvaluator.builder().setSegmenter(seg).setGroundTruth(dataset).build().run();
            for (CityscapesSample s : dataset.split("val")) {
                byte[] ids = seg.segment(s.loadRgb()).classIds();
                LabelImage img = LabelImage.of8(128, 64, ids);
                LabelPng.write8(img, pred.resolve(s.id() + "_pred.png"));
            }
        }
        EvaluationResult viaFolder = FolderEvaluator.builder().setGroundTruth(dataset).setPredictions(pred)
                .optPredictionIds(PredictionIds.TRAIN).build().run();
        assertTrue(direct.classIoU("sky") > 0, "the colour model finds some sky");
        assertArrayEquals(viaFolder.confusionMatrix().toArray(), direct.confusionMatrix().toArray());
        assertEquals(viaFolder.meanIoU(), direct.meanIoU(), 0.0);
        assertEquals(viaFolder.meanInstIoU(), direct.meanInstIoU(), 0.0);
    }

    @Test
    void limitScoresTheFirstFramesOnlyAndAnEmptySplitIsNamed() throws Exception {
        try (OnnxSegmenter seg = OnnxSegmenter.open(model("by-colour", true, 0), SegmenterOptions.defaults())) {
            assertEquals(2, ModelEvaluator.builder().setSegmenter(seg).setGroundTruth(dataset).optLimit(2).build()
                    .run().frames());
            EvaluationException e = assertThrows(EvaluationException.class,
                    () -> ModelEvaluator.builder().setSegmenter(seg).setGroundTruth(dataset).optSplit("test").build()
                            .run());
            assertTrue(e.getMessage().contains("test"), e.getMessage());
        }
    }
}
