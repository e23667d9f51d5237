package io.segstream.training.run;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.segstream.training.graph.LayerHelpers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checkpoint files: DL4J's model zip (configuration, weights, optimiser state) plus a {@link TrainingState} JSON of the
 * same base name.
 *
 * <pre>{@code
 * Checkpoints.save(graph, dir.resolve("epoch-003_miou-0.4210_loss-0.6120.zip"), state);
 * Checkpoints.Restored r = Checkpoints.load(Path.of("runs/.../checkpoints/epoch-003_miou-0.4210_loss-0.6120.zip"));
 * }</pre>
 */
public final class Checkpoints {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS);

    private Checkpoints() {
    }

    /** A restored graph with its training state. */
    public record Restored(ComputationGraph graph, TrainingState state) {
    }

    /** Name of a checkpoint: epoch, validation mIoU and validation loss, as the seeds name their weights files. */
    public static String name(int epoch, double meanIoU, double loss) {
        return String.format(java.util.Locale.ROOT, "epoch-%03d_miou-%.4f_loss-%.4f.zip", epoch, meanIoU, loss);
    }

    /** The state file that belongs to checkpoint {@code zip}. */
    public static Path stateFile(Path zip) {
        String name = zip.getFileName().toString();
        String base = name.endsWith(".zip") ? name.substring(0, name.length() - 4) : name;
        return zip.resolveSibling(base + ".json");
    }

    /** Writes the graph (with optimiser state) and its training state. */
    public static void save(ComputationGraph graph, Path zip, TrainingState state) throws IOException {
        Path tmp = zip.resolveSibling(zip.getFileName() + ".tmp");
        ModelSerializer.writeModel(graph, tmp.toFile(), true);
        JSON.writeValue(stateFile(zip).toFile(), state);
        Files.move(tmp, zip, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Copies {@code from}'s weights (batch norm's running statistics included) into {@code to}, a graph of the same
     * network built anew (another input size, or this version's blocks). Where both hold their parameters in the same
     * order the flat vector is copied; otherwise each layer's parameters are copied by layer name, with their shapes
     * checked. DL4J flattens parameters in the order the layers were added, so a version that adds its blocks in
     * another order would scramble a flat copy of the same length without a word. (The upsampling's change to one
     * {@code BilinearUpsampleVertex} kept every zoo model's order: checkpoints written before it copy flat.)
     *
     * @param source names {@code from} in errors
     * @return true if the layouts were the same (so a flat optimiser state carries over too)
     * @throws IllegalArgumentException if a layer or parameter of {@code to} is missing from {@code from} or has
     *                                  another shape
     */
    public static boolean copyWeights(ComputationGraph from, ComputationGraph to, Object source) {
        if (layout(from).equals(layout(to))) {
            to.setParams(from.params());
            return true;
        }
        for (Layer layer : to.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            Map<String, INDArray> target = layer.paramTable();
            if (target == null || target.isEmpty()) {
                continue;
            }
            GraphVertex vertex = from.getVertex(name);
            Layer src = vertex == null ? null : vertex.getLayer();
            if (src == null) {
                throw new IllegalArgumentException(source + " has no layer " + name);
            }
            for (Map.Entry<String, INDArray> e : target.entrySet()) {
                INDArray value = src.paramTable().get(e.getKey());
                if (value == null || !Arrays.equals(value.shape(), e.getValue().shape())) {
                    throw new IllegalArgumentException(source + ": layer " + name + " parameter " + e.getKey()
                            + (value == null ? " is missing" : " has shape " + Arrays.toString(value.shape())
                                    + ", not " + Arrays.toString(e.getValue().shape())));
                }
                e.getValue().assign(value);
            }
        }
        return false;
    }

    /** Layer, parameter and shape of every parameter in the order of the graph's flat parameter vector. */
    private static List<String> layout(ComputationGraph graph) {
        List<String> out = new ArrayList<>();
        for (Layer layer : graph.getLayers()) {
            Map<String, INDArray> table = layer.paramTable();
            if (table != null) {
                table.forEach((key, value) -> out.add(layer.conf().getLayer().getLayerName() + "/" + key
                        + Arrays.toString(value.shape())));
            }
        }
        return out;
    }

    /** Reads a checkpoint and its state; a missing state file is an error naming it. */
    public static Restored load(Path zip) throws IOException {
        if (!Files.isRegularFile(zip)) {
            throw new NoSuchFileException(zip + ": no such checkpoint file");
        }
        if (!zip.getFileName().toString().endsWith(".zip")) {
            throw new IOException(zip + " is not a checkpoint: pass the .zip (its training state .json lies beside"
                    + " it and is found from it)");
        }
        Path state = stateFile(zip);
        if (!Files.isRegularFile(state)) {
            throw new NoSuchFileException(state + ": the training state of checkpoint " + zip.getFileName()
                    + " is missing (it is written next to every checkpoint)");
        }
        ComputationGraph graph;
        LayerHelpers.enable();
        try {
            graph = ModelSerializer.restoreComputationGraph(zip.toFile(), true);
        } catch (RuntimeException e) {
            throw new IOException(zip + ": not a DL4J model checkpoint (" + e.getMessage() + ")", e);
        }
        return new Restored(graph, JSON.readValue(state.toFile(), TrainingState.class));
    }

    /** Reads only the training state of a checkpoint (prediction needs the configuration). */
    public static TrainingState readState(Path zip) throws IOException {
        Path state = stateFile(zip);
        if (!Files.isRegularFile(state)) {
            throw new NoSuchFileException(state + ": the training state of checkpoint " + zip.getFileName()
                    + " is missing");
        }
        return JSON.readValue(state.toFile(), TrainingState.class);
    }
}
