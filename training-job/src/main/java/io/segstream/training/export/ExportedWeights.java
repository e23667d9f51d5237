package io.segstream.training.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelException;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.onnx.QdqQuantizer;
import io.segstream.core.onnx.proto.Onnx.ModelProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import io.segstream.training.model.ModelBuilder;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The weights of a model directory that segstream exported ({@link GraphConverter}), read back into a DL4J graph of
 * the same network: fine-tuning starts from a released model, the bundled one included, when its checkpoint is not at
 * hand. The converter names every initializer after its layer ({@code layer_W}, {@code layer_b}, {@code layer_dW},
 * {@code layer_pW}, {@code layer_gamma}, {@code _beta}, {@code _mean}, {@code _var}) and this class undoes its layout
 * changes (depthwise and separable weights, batch norm's variance against DL4J's log10 standard deviation).
 *
 * <pre>{@code
 * ExportedWeights w = ExportedWeights.load(Path.of("models/rail-fastscnn"));
 * w.copyInto(graph);   // every parameter of graph, or an IllegalArgumentException naming what is missing
 * }</pre>
 */
public final class ExportedWeights {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Map<String, INDArray> tensors;
    private final Map<String, Object> training;

    private ExportedWeights(Path dir, Map<String, INDArray> tensors, Map<String, Object> training) {
        this.dir = dir;
        this.tensors = tensors;
        this.training = training;
    }

    /** Whether {@code path} is a model directory (model.onnx and model.json) rather than a checkpoint file. */
    public static boolean isModelDirectory(Path path) {
        return Files.isDirectory(path) && Files.isRegularFile(path.resolve(ModelDirectory.MODEL_FILE))
                && Files.isRegularFile(path.resolve(ModelDirectory.MANIFEST_FILE));
    }

    /**
     * Reads the float initializers of {@code dir}'s model.onnx and the training block of its model.json.
     *
     * @throws IllegalArgumentException if the model holds no training block (not exported by segstream) or is not a
     *                                  float model (an INT8 copy, say)
     */
    public static ExportedWeights load(Path dir) throws IOException {
        ModelDirectory model = ModelDirectory.at(dir);
        ModelManifest manifest;
        byte[] onnx;
        try {
            manifest = model.readManifest();
            onnx = model.readVerifiedModel(manifest);
        } catch (ModelException e) {
            throw new IllegalArgumentException(dir + ": " + e.getMessage(), e);
        }
        if (manifest.training().isEmpty()) {
            throw new IllegalArgumentException(dir + " does not say how it was trained (no \"training\" block in its "
                    + ModelDirectory.MANIFEST_FILE + "): only models segstream exported can be trained further");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> training = JSON.convertValue(manifest.training(), LinkedHashMap.class);
        return of(onnx, training, dir);
    }

    /** The float initializers of an ONNX model; {@code source} names it in errors. */
    static ExportedWeights of(byte[] onnx, Map<String, Object> training, Path source) throws IOException {
        ModelProto proto = ModelProto.parseFrom(onnx);
        Map<String, INDArray> tensors = new HashMap<>();
        for (TensorProto t : proto.getGraph().getInitializerList()) {
            if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE) {
                tensors.put(t.getName(), floats(t));
            }
        }
        return new ExportedWeights(source, tensors, training);
    }

    /** The training options model.json records (model, backbone, encoder, width multiplier, label set, ...). */
    public Map<String, Object> training() {
        return training;
    }

    /**
     * Sets every parameter of {@code graph} from the exported weights of the layer of the same name, except those of
     * training-only auxiliary heads, which an export leaves out and which keep their initialisation.
     *
     * @return how many layers (auxiliary heads) kept their initialisation
     * @throws IllegalArgumentException if a layer's weights are missing or have another shape: the model is not this
     *                                  network, or was changed after its export (composed, quantized)
     */
    public int copyInto(ComputationGraph graph) {
        // training-only auxiliary heads (ICNet's cascade guidance) are not exported: they keep their initialisation
        Set<String> inference = ModelBuilder.inferenceVertices(graph.getConfiguration());
        int skipped = 0;
        for (Layer layer : graph.getLayers()) {
            Map<String, INDArray> params = layer.paramTable();
            if (params == null || params.isEmpty()) {
                continue;
            }
            String name = layer.conf().getLayer().getLayerName();
            if (!inference.contains(name)) {
                skipped++;
                continue;
            }
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            for (Map.Entry<String, INDArray> p : params.entrySet()) {
                INDArray target = p.getValue();
                INDArray value = value(conf, name, p.getKey(), target.shape());
                if (!Arrays.equals(value.shape(), target.shape())) {
                    throw new IllegalArgumentException(dir + ": layer " + name + " parameter " + p.getKey() + " has shape "
                            + Arrays.toString(value.shape()) + " there, not " + Arrays.toString(target.shape())
                            + ": the model is another network");
                }
                target.assign(value.castTo(target.dataType()));
            }
        }
        return skipped;
    }

    private INDArray value(org.deeplearning4j.nn.conf.layers.Layer conf, String name, String key, long[] shape) {
        if (conf instanceof SeparableConvolution2D) {
            switch (key) {
                case "W": {
                    // ONNX [channels * multiplier, 1, kH, kW] from DL4J [multiplier, channels, kH, kW]
                    INDArray w = tensor(name, "_dW");
                    return w.reshape('c', shape[1], shape[0], shape[2], shape[3]).permute(1, 0, 2, 3);
                }
                case "pW":
                    return tensor(name, "_pW");
                case "b":
                    return tensor(name, "_b").reshape(shape);
                default:
                    break;
            }
        } else if (conf instanceof DepthwiseConvolution2D) {
            switch (key) {
                case "W": {
                    // ONNX [channels * multiplier, 1, kH, kW] from DL4J [kH, kW, channels, multiplier]
                    INDArray w = tensor(name, "_W");
                    return w.reshape('c', shape[2], shape[3], shape[0], shape[1]).permute(2, 3, 0, 1);
                }
                case "b":
                    return tensor(name, "_b").reshape(shape);
                default:
                    break;
            }
        } else if (conf instanceof ConvolutionLayer) {
            // convolutions and transposed convolutions keep DL4J's weight layout in ONNX
            switch (key) {
                case "W":
                    return tensor(name, "_W");
                case "b":
                    return tensor(name, "_b").reshape(shape);
                default:
                    break;
            }
        } else if (conf instanceof BatchNormalization) {
            switch (key) {
                case "gamma":
                case "beta":
                case "mean":
                case "var":
                    return tensor(name, "_" + key).reshape(shape);
                case "log10stdev":
                    // the export wrote var = std^2
                    return Transforms.log(tensor(name, "_var"), 10, true).muli(0.5).reshape(shape);
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("layer " + name + " (" + conf.getClass().getSimpleName() + ") parameter "
                + key + " cannot be read back from an export");
    }

    private INDArray tensor(String layer, String suffix) {
        INDArray t = tensors.get(layer + suffix);
        if (t == null) {
            throw new IllegalArgumentException(dir + " has no float weights " + layer + suffix + " for layer " + layer
                    + ": the model is another network, or was changed after its export (composed, quantized)");
        }
        return t.dup();
    }

    private static INDArray floats(TensorProto t) {
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        float[] data = QdqQuantizer.floats(t);
        return Nd4j.create(data, dims.length == 0 ? new long[] {data.length} : dims, DataType.FLOAT);
    }
}
