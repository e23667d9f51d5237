package io.segstream.connectors.flink;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.schemas.BoundingBox;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.SegmentationMask;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AvroKafkaSinkTest {

    @Test
    void exactlyOnceNeedsATimeoutAboveCheckpointPlusRestart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                AvroKafkaSink.builder(SegmentationMask.class).setBootstrapServers("127.0.0.1:9092").setTopic("masks")
                        .optExactlyOnce("masks-tx").optTransactionTimeout(Duration.ofMinutes(6))
                        .optCheckpointInterval(Duration.ofMinutes(2)).build());
        assertTrue(e.getMessage().contains("must exceed the checkpoint interval (120 s) plus 5 min"), e.getMessage());

        assertNotNull(AvroKafkaSink.builder(SegmentationMask.class).setBootstrapServers("127.0.0.1:9092")
                .setTopic("masks").optExactlyOnce("masks-tx").optCheckpointInterval(Duration.ofSeconds(10)).build());
    }

    @Test
    void missingSettingsAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AvroKafkaSink.builder(DeadLetter.class)
                .setTopic("dlq").build()).getMessage().startsWith("setBootstrapServers is required"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AvroKafkaSink.builder(BoundingBox.class)
                .setBootstrapServers("127.0.0.1:9092").setTopic("boxes").build()).getMessage()
                .equals("BoundingBox has no camera_id field: set optKey"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AvroKafkaSink.builder(SegmentationMask.class)
                .setBootstrapServers("127.0.0.1:9092").setTopic("masks").optExactlyOnce(" ").build()).getMessage()
                .contains("unique per sink"));
    }
}
