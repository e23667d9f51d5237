package io.segstream.training.export;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.scenes.Scene;
import io.segstream.core.scenes.SceneGenerator;
import io.segstream.training.data.BatchEncoder;
import io.segstream.training.data.Normalization;
import io.segstream.training.data.TrainingSample;
import io.segstream.training.model.ModelBuilder;
import io.segstream.training.run.Checkpoints;
import io.segstream.training.run.EpochMetrics;
import io.segstream.training.run.TrainConfig;
import io.segstream.training.run.Trainer;
import io.segstream.training.run.TrainingState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exports a trained checkpoint as a model directory ({@code model.onnx} + {@code model.json}) after proving that
 * ONNX Runtime reproduces DL4J's logits on a random input and on a generated scene.
 *
 * <pre>{@code
 * ModelExporter.Report r = ModelExporter.builder().setCheckpoint(Path.of("runs/.../epoch-003_....zip"))
 *         .setOutput(Path.of("models/fastscnn-3")).optVersion("3").build().export();
 * }</pre>
 */
public final class ModelExporter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path checkpoint;
    private final Path output;
    private final String expectedModel;
    private final String name;
    private final String version;
    private final String labelSet;
    private final int width;
    private final int height;

    /**
     * What an export produced.
     *
     * @param model     model label, e.g. {@code fastscnn}
     * @param parity    the DL4J/ONNX comparison
     * @param onnxBytes size of {@code model.onnx}
     * @param directory the written model directory
     */
    public record Report(String model, ParityCheck.Result parity, long onnxBytes, ModelDirectory directory) {
    }

    private ModelExporter(Builder b) {
        this.checkpoint = b.checkpoint;
        this.output = b.output;
        this.expectedModel = b.model;
        this.name = b.name;
        this.version = b.version;
        this.labelSet = b.labelSet;
        this.width = b.width;
        this.height = b.height;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads the checkpoint, converts, checks parity and writes the model directory. */
    public Report export() throws IOException, ExportException {
        Checkpoints.Restored restored = Checkpoints.load(checkpoint);
        TrainConfig config = TrainConfig.of(restored.state().config());
        if (expectedModel != null && !expectedModel.equalsIgnoreCase(config.model())) {
            throw new ExportException(checkpoint + " holds a " + config.model() + " model, not " + expectedModel);
        }
        if (labelSet != null && !labelSet.equals(config.labelSet())) {
            throw new ExportException(checkpoint + " was trained on label set " + config.labelSet() + ", not "
                    + labelSet + "; its class ids only mean something in " + config.labelSet());
        }
        ComputationGraph graph = restored.graph();
        TrainConfig trained = config;
        int w = width > 0 ? width : config.width();
        int h = height > 0 ? height : config.height();
        if (w != config.width() || h != config.height()) {
            // pooling layers are sized for the input: rebuild at the new size and carry the weights over
            config = config.with(Map.of("width", w, "height", h));
            ComputationGraph resized = new ComputationGraph(
                    ModelBuilder.builder().setSpec(config.modelSpec()).optChannelPlan(config.prunedChannels()).build()
                            .configuration());
            resized.init();
            Checkpoints.copyWeights(graph, resized, checkpoint);
            graph = resized;
        }
        String label = config.modelSpec().label();
        ExportedGraph exported = convertAndCheck(graph, label, w, h);
        ModelManifest manifest = manifest(config, trained, restored.state(), label);
        ModelDirectory dir = ModelDirectory.write(output, exported.onnx(), manifest);
        return new Report(label, exported.parity(), exported.onnx().length, dir);
    }

    /**
     * The converted graph with its parity figures.
     *
     * @param onnx   serialized ONNX model
     * @param parity the comparison on a random input and a generated scene
     */
    public record ExportedGraph(byte[] onnx, ParityCheck.Result parity) {
    }

    /**
     * Converts {@code graph} and checks parity on a seeded random input and a generated scene.
     *
     * @throws ExportException when the outputs differ beyond the limits; the message names the diverging vertex
     */
    public static ExportedGraph convertAndCheck(ComputationGraph graph, String label, int width, int height)
            throws ExportException {
        GraphConverter.Converted converted = GraphConverter.convert(graph, label, width, height, false);
        ParityCheck.Result parity;
        try {
            parity = ParityCheck.compare(graph, converted, parityInputs(width, height), label, width, height);
        } catch (OrtException e) {
            throw new ExportException(label + ": ONNX Runtime could not run the exported graph (" + e.getMessage()
                    + ")", e);
        }
        if (!parity.passed()) {
            throw new ExportException(label + ": ONNX Runtime and DL4J disagree: " + parity.describe());
        }
        return new ExportedGraph(converted.onnx(), parity);
    }

    /** A seeded standard-normal input and a generated street scene normalised as training feeds it. */
    static List<INDArray> parityInputs(int width, int height) {
        INDArray random = Nd4j.getRandomFactory().getNewRandomInstance(20261121L)
                .nextGaussian(new long[] {1, 3, height, width}).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        Scene scene = SceneGenerator.builder().setSize(width, height).optSeed(7).build().render(0);
        TrainingSample sample = new TrainingSample("parity", width, height, scene.rgbBytes(),
                new byte[width * height]);
        INDArray real = new BatchEncoder(2, Normalization.IMAGENET).features(List.of(sample));
        return List.of(random, real);
    }

    /**
     * The manifest: ONNX Runtime's preprocessing computes {@code (v / 255 - mean) / std}, training computes
     * {@code (v - mean) / std} on 0..255, so both statistics are divided by 255.
     */
    /**
     * @param config  the exported graph's configuration (input size as exported)
     * @param trained the configuration the checkpoint was trained with, recorded as the manifest's training block
     */
    private ModelManifest manifest(TrainConfig config, TrainConfig trained, TrainingState state, String label) {
        Normalization n = Normalization.IMAGENET;
        float[] mean = new float[3];
        float[] std = new float[3];
        for (int c = 0; c < 3; c++) {
            mean[c] = (float) (n.mean()[c] / 255.0);
            std[c] = (float) (n.std()[c] / 255.0);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        EpochMetrics best = null;
        for (EpochMetrics m : state.history()) {
            if (Double.isFinite(m.valMeanIoU()) && (best == null
                    || Trainer.isBetter(m.valMeanIoU(), m.valLoss(), best.valMeanIoU(), best.valLoss()))) {
                best = m;
            }
        }
        if (best != null) {
            metrics.put("miou", best.valMeanIoU());
            metrics.put("pixelAccuracy", best.valPixelAccuracy());
            metrics.put("valLoss", best.valLoss());
            metrics.put("epoch", (double) best.epoch());
        }
        JsonNode training = JSON.valueToTree(trained.toMap());
        LabelSet labels = LabelSet.named(config.labelSet());
        return ModelManifest.builder()
                .setName(name != null ? name : label)
                .setVersion(version)
                .setLabelSet(labels.name())
                .setInput(GraphConverter.INPUT, config.width(), config.height(), ModelManifest.Layout.NCHW)
                .optChannelOrder(ModelManifest.ChannelOrder.RGB)
                .setNormalization(mean, std)
                .setOutput(GraphConverter.OUTPUT, ModelManifest.OutputKind.LOGITS_NCHW)
                .optMetrics(metrics)
                .optTraining(training)
                .optDescription(label + " trained by segstream's training job, exported from "
                        + checkpoint.getFileName())
                .build();
    }

    /** Builds a {@link ModelExporter}; {@code set*} are required, {@code opt*} optional. */
    public static final class Builder {
        private Path checkpoint;
        private Path output;
        private String model;
        private String name;
        private String version = "1";
        private String labelSet;
        private int width;
        private int height;

        /** The checkpoint zip written by the training job (its training state file lies beside it). */
        public Builder setCheckpoint(Path checkpoint) {
            this.checkpoint = checkpoint;
            return this;
        }

        /** The model directory to write. */
        public Builder setOutput(Path output) {
            this.output = output;
            return this;
        }

        /** The model the checkpoint must hold (checked). */
        public Builder optModel(String model) {
            this.model = model;
            return this;
        }

        /** Manifest name (default: the model label, e.g. {@code fcn8-mobilenetv2}). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** Manifest version (default {@code 1}). */
        public Builder optVersion(String version) {
            this.version = version;
            return this;
        }

        /** The label set the checkpoint must have been trained on (checked). */
        public Builder optLabelSet(String labelSet) {
            this.labelSet = labelSet;
            return this;
        }

        /** Input size of the exported graph (default: the training size). */
        public Builder optSize(int width, int height) {
            this.width = width;
            this.height = height;
            return this;
        }

        public ModelExporter build() {
            Objects.requireNonNull(checkpoint, "checkpoint is required (setCheckpoint)");
            Objects.requireNonNull(output, "output directory is required (setOutput)");
            if (version == null || version.isBlank()) {
                throw new IllegalArgumentException("model version must not be empty");
            }
            if (width < 0 || height < 0) {
                throw new IllegalArgumentException("input size must be positive, got " + width + "x" + height);
            }
            return new ModelExporter(this);
        }
    }
}
