package io.segstream.inference.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segstream.schemas.MaskEncoding;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.Test;

class ThreadsPerSlotTest {
    private static SegmentationSettings settings(Map<String, String> segmenter) {
        return new SegmentationSettings("/models/m", segmenter, null, MaskEncoding.PNG_CLASS_IDS, 4, 20, false, 1000);
    }

    private static String threads(Map<String, String> segmenter, int slots, int cores) {
        Configuration tm = new Configuration();
        tm.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        return SegmentationOperator.withThreadsPerSlot(settings(segmenter), tm, cores, "segment subtask 0")
                .segmenterSettings().get("intra-op-threads");
    }

    @Test
    void theCoresAreSharedByTheSlots() {
        assertEquals("1", threads(Map.of(), 2, 2));
        assertEquals("2", threads(Map.of(), 1, 2));
        assertEquals("4", threads(Map.of(), 4, 16));
        assertEquals("2", threads(Map.of(), 3, 8), "whole threads, rounded down");
        assertEquals("1", threads(Map.of(), 8, 2), "more slots than cores: one thread each");
    }

    @Test
    void aUsersSettingWins() {
        assertEquals("3", threads(Map.of("intra-op-threads", "3"), 2, 2));
        assertEquals("0", threads(Map.of("intra-op-threads", "0"), 2, 2), "0 still asks ONNX Runtime to choose");
    }
}
