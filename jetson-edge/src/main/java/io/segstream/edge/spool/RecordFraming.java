package io.segstream.edge.spool;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * How a record is laid out in a segment file: {@code int length, int crc32, payload}, the CRC over the payload, and
 * the payload {@code long index, long timestamp, short cameraLength, camera (UTF-8), int keyLength, key, value}.
 *
 * <p>A write cut short by a power loss leaves a frame whose length runs past the end of the file or whose CRC does not
 * match; {@link #read} tells such a frame apart from a good one and from the clean end of a file.
 */
final class RecordFraming {
    /** Length and CRC in front of every payload. */
    static final int HEADER_BYTES = 8;
    /** Index, timestamp, camera length, key length. */
    private static final int FIXED_PAYLOAD_BYTES = 8 + 8 + 2 + 4;
    /** Largest payload accepted when reading: a larger length field is damage, not a record. */
    static final int MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

    private RecordFraming() {}

    /** Bytes a record with these fields takes, framing included. */
    static int framedSize(String camera, byte[] key, byte[] value) {
        return HEADER_BYTES + FIXED_PAYLOAD_BYTES + camera.getBytes(StandardCharsets.UTF_8).length + key.length
                + value.length;
    }

    /** The framed bytes of a record. */
    static ByteBuffer encode(SpoolRecord r) {
        byte[] camera = r.camera().getBytes(StandardCharsets.UTF_8);
        if (camera.length > Short.MAX_VALUE) {
            throw new IllegalArgumentException("camera id of " + camera.length + " bytes is too long for the spool");
        }
        int payload = FIXED_PAYLOAD_BYTES + camera.length + r.key().length + r.value().length;
        if (payload > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException(r + " is larger than the spool's " + MAX_PAYLOAD_BYTES
                    + "-byte record limit");
        }
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + payload);
        buf.putInt(payload);
        buf.putInt(0);
        buf.putLong(r.index());
        buf.putLong(r.timestamp());
        buf.putShort((short) camera.length);
        buf.put(camera);
        buf.putInt(r.key().length);
        buf.put(r.key());
        buf.put(r.value());
        CRC32 crc = new CRC32();
        crc.update(buf.array(), HEADER_BYTES, payload);
        buf.putInt(4, (int) crc.getValue());
        buf.flip();
        return buf;
    }

    /** The payload length in a frame header, or -1 when the header cannot be a record's. */
    static int payloadLength(ByteBuffer header) {
        int length = header.getInt(0);
        return length < FIXED_PAYLOAD_BYTES || length > MAX_PAYLOAD_BYTES ? -1 : length;
    }

    /**
     * The record in {@code payload} (exactly one payload) if its CRC matches {@code header}'s, else null.
     */
    static SpoolRecord decode(RecordKind kind, ByteBuffer header, ByteBuffer payload) {
        CRC32 crc = new CRC32();
        crc.update(payload.duplicate());
        if ((int) crc.getValue() != header.getInt(4)) {
            return null;
        }
        try {
            long index = payload.getLong();
            long timestamp = payload.getLong();
            int cameraLength = payload.getShort();
            byte[] camera = new byte[cameraLength];
            payload.get(camera);
            int keyLength = payload.getInt();
            byte[] key = new byte[keyLength];
            payload.get(key);
            byte[] value = new byte[payload.remaining()];
            payload.get(value);
            return new SpoolRecord(kind, index, timestamp, new String(camera, StandardCharsets.UTF_8), key, value);
        } catch (RuntimeException e) {
            // lengths inside a payload whose CRC matched but that was written by something else
            return null;
        }
    }
}
