package io.segstream.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.ImageEncoding;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    @Test
    void aRecordThatFailedLaterCarriesItsCameraSeqKeyAndBoundedPayload() throws Exception {
        CameraFrame frame = CameraFrame.newBuilder().setCameraId("cam-9").setSeq(41)
                .setCaptureTime(Instant.EPOCH).setIngestTime(Instant.EPOCH).setWidth(1920).setHeight(1080)
                .setEncoding(ImageEncoding.JPEG).setData(ByteBuffer.wrap(new byte[200_000])).build();
        IllegalStateException error = new IllegalStateException("JPEG is 640x480");

        DeadLetter dead = DeadLetters.forRecord(new SourcePosition("segstream.frames", 3, 1234, 99), frame,
                DeadLetters.STAGE_IMAGE, "frame cam-9/41 says 1920x1080 but its JPEG is 640x480", error);

        assertEquals("segstream.frames", dead.getSourceTopic());
        assertEquals(3, dead.getSourcePartition());
        assertEquals(1234, dead.getSourceOffset());
        assertEquals("cam-9", dead.getCameraId());
        assertEquals(41L, dead.getSeq());
        assertEquals(ByteBuffer.wrap("cam-9".getBytes(StandardCharsets.UTF_8)), dead.getKey());
        assertEquals("image", dead.getStage());
        assertEquals("java.lang.IllegalStateException", dead.getErrorClass());
        assertEquals(DeadLetters.DEFAULT_MAX_PAYLOAD_BYTES, dead.getPayload().remaining());
        byte[] encoded = AvroCodec.of(CameraFrame.class).encode(frame);
        assertEquals(encoded.length, dead.getPayloadSize());
        assertTrue(dead.getPayload().get(0) == (byte) 0xC3, "the payload is the single-object value");
    }
}
