package io.segstream.training.run;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.segstream.training.graph.LayerHelpers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

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
