package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training commands' tables and their one-sentence errors (training itself is tested in training-job). */
class TrainingCommandsTest {
    @TempDir
    Path tmp;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void modelsPrintsTheTable() {
        CliRun r = run("models");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("GFLOPs@2048x1024"), r.out());
        for (String m : new String[] {"fastscnn", "unet", "separable_unet", "deeplabv3+-mobilenetv2",
            "deeplabv3+-xception", "bayes_segnet", "fcn8-mobilenetv2", "fcn8-resnet18", "fcn8-vgg16"}) {
            assertTrue(r.out().contains(m + " "), m);
        }
    }

    @Test
    void trainRefusesASizeTheModelCannotTake() {
        CliRun r = run("train", "-m", "fastscnn", "-p", tmp.toString(), "-t", "250x128");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("segstream train: model fastscnn needs width and height that are multiples of 128"),
                r.err());
        assertTrue(r.err().strip().lines().count() == 1, r.err());
    }

    @Test
    void trainRefusesFtrlAndMixedPrecisionOnCpuWithAReason() {
        CliRun ftrl = run("train", "-m", "unet", "-p", tmp.toString(), "-t", "256x128", "-o", "ftrl");
        assertEquals(1, ftrl.exit());
        assertTrue(ftrl.err().contains("DL4J has no FTRL"), ftrl.err());
        CliRun half = run("train", "-m", "unet", "-p", tmp.toString(), "-t", "256x128", "--mixed-precision");
        assertEquals(1, half.exit());
        assertTrue(half.err().contains("needs the CUDA backend"), half.err());
    }

    /** The bundled model's weights are a starting point: for its own label set, and refused in one sentence else. */
    @Test
    void trainStartsFromTheBundledModel() {
        Path data = tmp.resolve("rail");
        for (String[] split : new String[][] {{"train", "3"}, {"val", "2"}}) {
            CliRun scenes = run("scenes", "--out", data.toString(), "--count", split[1], "--size", "512x256", "--kind",
                    "rail", "--seed", "5", "--split", split[0]);
            assertEquals(0, scenes.exit(), scenes.err());
        }
        CliRun wrongSet = run("train", "-m", "fastscnn", "--label-set", "cityscapes-19", "--init", "bundled", "-p",
                data.toString(), "-t", "256x128", "-b", "3", "-e", "1", "--runs-dir", tmp.resolve("runs").toString());
        assertEquals(1, wrongSet.exit());
        assertTrue(wrongSet.err().contains("it holds a network trained with labelSet=rail-20 but this run builds"
                + " labelSet=cityscapes-19"), wrongSet.err());
        assertTrue(wrongSet.err().strip().lines().count() == 1, wrongSet.err());

        CliRun tuned = run("train", "-m", "fastscnn", "--label-set", "rail-20", "--init", "bundled", "-p",
                data.toString(), "-t", "256x128", "-b", "3", "-e", "1", "-l", "1e-7", "--runs-dir",
                tmp.resolve("runs").toString());
        assertEquals(0, tuned.exit(), tuned.err());
        // a network started from scratch scores near 0 here; the bundled weights near what they score elsewhere
        double miou = Double.parseDouble(tuned.out().replaceAll("(?s).*best val mIoU ([0-9.]+).*", "$1"));
        assertTrue(miou > 0.15, tuned.out());
    }

    @Test
    void predictNamesAMissingCheckpoint() {
        Path missing = tmp.resolve("nope.zip");
        CliRun r = run("predict", "-w", missing.toString(), "-p", tmp.toString(), "-r", tmp.resolve("out").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains(missing + ": no such checkpoint file"), r.err());
    }
}
