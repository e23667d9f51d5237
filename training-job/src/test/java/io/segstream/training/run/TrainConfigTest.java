package io.segstream.training.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.training.model.InvalidInputSizeException;
import io.segstream.training.optim.CyclicSchedule;
import io.segstream.training.optim.PolynomialDecaySchedule;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options are parsed once over the defaults, validated with messages that say what to fix, and round-trip as JSON. */
class TrainConfigTest {
    @TempDir
    Path tmp;

    @Test
    void defaultsApplyAndJsonRoundTrips() throws Exception {
        TrainConfig c = TrainConfig.of(Map.of("model", "fastscnn", "width", 512, "height", 256));
        assertEquals("adam", c.optimizer());
        assertEquals(4, c.batch());
        assertEquals(19, c.modelSpec().numClasses());
        c.write(tmp.resolve("config.json"));
        assertEquals(c, TrainConfig.read(tmp.resolve("config.json")));
        assertEquals(20, c.with(Map.of("labelSet", "rail-20")).modelSpec().numClasses());
    }

    @Test
    void refusesWhatItCannotRun() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainConfig.of(Map.of("width", 512)))
                .getMessage().contains("-m/--model"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> TrainConfig.of(Map.of("model", "fastscnn", "optimiser", "adam"))).getMessage()
                .contains("unknown training option 'optimiser'"));
        assertTrue(assertThrows(InvalidInputSizeException.class,
                () -> TrainConfig.of(Map.of("model", "fastscnn", "width", 500, "height", 256))).getMessage()
                .contains("use e.g. 512x256"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> TrainConfig.of(Map.of("model", "unet", "schedule", "step"))).getMessage()
                .contains("polynomial, cyclic"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> TrainConfig.of(Map.of("model", "unet", "labelSet", "cityscapes-34"))).getMessage()
                .contains("cityscapes-19 or rail-20"));
        assertThrows(IllegalArgumentException.class,
                () -> TrainConfig.of(Map.of("model", "unet", "clipNorm", 1.0, "clipValue", 1.0)));
    }

    @Test
    void schedulesSpanTheWholeRun() {
        TrainConfig poly = TrainConfig.of(Map.of("model", "unet", "schedule", "polynomial", "learningRate", 0.01,
                "minLr", 0.001, "power", 1.0));
        assertEquals(new PolynomialDecaySchedule(0.01, 0.001, 300, 1.0), Schedules.of(poly, 300));
        TrainConfig cyclic = TrainConfig.of(Map.of("model", "unet", "schedule", "cyclic", "minLr", 1e-4,
                "maxLr", 1e-2, "cycle", 100));
        assertEquals(new CyclicSchedule(1e-4, 1e-2, 100), Schedules.of(cyclic, 300));
        assertEquals(null, Schedules.of(TrainConfig.of(Map.of("model", "unet")), 300));
    }

    @Test
    void mixedPrecisionIsRefusedOnTheCpuBackend() {
        TrainConfig c = TrainConfig.of(Map.of("model", "unet", "mixedPrecision", true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.checkBackend(c));
        assertTrue(e.getMessage().contains("needs the CUDA backend"), e.getMessage());
    }
}
