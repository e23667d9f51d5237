package io.segstream.training.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.scenes.ProgressListener;
import io.segstream.core.scenes.SceneGenerator;
import io.segstream.core.scenes.SceneKind;
import io.segstream.core.scenes.SceneWriter;
import io.segstream.training.export.ModelExporter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pruning in steps with fine-tuning, from a trained checkpoint on disk to a smaller exported model. */
class PruningTest {
    @TempDir
    Path tmp;

    @Test
    void twoStepsShrinkTheNetworkAndTheirCheckpointsExportWithParity() throws Exception {
        Path root = tmp.resolve("scenes");
        SceneWriter.writeScenes(SceneGenerator.builder().setSize(256, 128).optKind(SceneKind.ROAD).optSeed(5).build(),
                root, "train", 8, 2, ProgressListener.none());
        SceneWriter.writeScenes(SceneGenerator.builder().setSize(256, 128).optKind(SceneKind.ROAD).optSeed(6).build(),
                root, "val", 2, 2, ProgressListener.none());
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        TrainConfig config = TrainConfig.of(Map.of("model", "icnet", "dataPath", root.toString(), "width", 256,
                "height", 128, "widthMultiplier", 0.125, "batch", 4, "epochs", 1, "loaderThreads", 1,
                "runsDir", tmp.resolve("runs").toString(), "learningRate", 3e-3));
        Path trained = TrainingJob.run(config, null, quiet).bestCheckpoint();

        List<Pruning.Step> steps = Pruning.run(trained, List.of(0.25, 0.5), Map.of("epochs", 1,
                "runsDir", tmp.resolve("pruned").toString()), quiet);
        assertEquals(3, steps.size());
        for (int i = 1; i < steps.size(); i++) {
            assertTrue(steps.get(i).params() < steps.get(i - 1).params(), Pruning.table(steps, 256, 128));
            assertTrue(steps.get(i).gflops() < steps.get(i - 1).gflops(), Pruning.table(steps, 256, 128));
            assertTrue(Double.isFinite(steps.get(i).prunedMeanIoU()) && Double.isFinite(steps.get(i).meanIoU()));
            assertTrue(Files.isRegularFile(steps.get(i).checkpoint()));
        }
        // the two steps remove 25 % and then 50 % of the original filters of every prunable group
        double kept = (double) steps.get(2).params() / steps.get(0).params();
        assertTrue(kept > 0.15 && kept < 0.45, "half the filters left " + kept + " of the parameters");
        // the last checkpoint carries its channel plan: export rebuilds it at another size and proves parity
        TrainConfig last = TrainConfig.of(Checkpoints.readState(steps.get(2).checkpoint()).config());
        assertTrue(!last.prunedChannels().isEmpty());
        ModelExporter.Report report = ModelExporter.builder().setCheckpoint(steps.get(2).checkpoint())
                .setOutput(tmp.resolve("model")).optSize(512, 256).build().export();
        assertTrue(report.parity().maxAbsDiff() < 1e-4, report.parity().describe());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pruning.run(trained, List.of(0.5, 0.25), Map.of(), quiet));
        assertTrue(e.getMessage().contains("rise"), e.getMessage());
    }
}
