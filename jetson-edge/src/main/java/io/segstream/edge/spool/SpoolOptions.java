package io.segstream.edge.spool;

import java.time.Duration;

/**
 * How large the spool may grow and how it is cut into files.
 *
 * @param maxBytes     bound of all segment files together; past {@link #highWaterBytes()} frames give way and then
 *                     masks are thinned; at the bound frames and then the oldest masks make room (alerts are never
 *                     dropped)
 * @param segmentBytes a segment is closed and a new one started past this size; drops remove whole segments, so
 *                     this is also the unit of dropping
 * @param maxSyncDelay how long appended masks and frames may stay unsynced (alerts are synced at once)
 */
public record SpoolOptions(long maxBytes, long segmentBytes, Duration maxSyncDelay) {
    /** A few GiB: hours of masks of a few cameras, minutes of frames. */
    public static final long DEFAULT_MAX_BYTES = 4L << 30;
    private static final long MAX_SEGMENT_BYTES = 64L << 20;
    private static final long MIN_SEGMENT_BYTES = 16L << 10;
    /** Below these the spool would be mostly bookkeeping; tests use them to fill a spool quickly. */
    private static final long FLOOR_BYTES = 4L << 10;
    private static final long FLOOR_SEGMENT_BYTES = 1L << 10;

    public SpoolOptions {
        if (maxBytes < FLOOR_BYTES) {
            throw new IllegalArgumentException("the spool needs at least " + FLOOR_BYTES + " bytes, got "
                    + maxBytes + "; give a few GiB, e.g. --spool-max-bytes 4g");
        }
        if (segmentBytes < FLOOR_SEGMENT_BYTES || segmentBytes > maxBytes / 2) {
            throw new IllegalArgumentException("spool segments must hold between " + FLOOR_SEGMENT_BYTES
                    + " bytes and half the spool (" + maxBytes / 2 + "), got " + segmentBytes);
        }
        if (maxSyncDelay.isNegative()) {
            throw new IllegalArgumentException("the sync delay must not be negative, got " + maxSyncDelay);
        }
    }

    /** The high-water mark, 3/4 of the bound: past it frames give way to masks, and then masks are thinned. */
    public long highWaterBytes() {
        return maxBytes / 4 * 3;
    }

    /** A spool of {@code maxBytes} in segments of 1/32 of it (16 KiB to 64 MiB, at most half), synced every 200 ms. */
    public static SpoolOptions of(long maxBytes) {
        long segment = Math.min(maxBytes / 2, Math.max(MIN_SEGMENT_BYTES, Math.min(MAX_SEGMENT_BYTES, maxBytes / 32)));
        return new SpoolOptions(maxBytes, segment, Duration.ofMillis(200));
    }

    /** {@code 4g}, {@code 512m}, {@code 64k} or a plain number of bytes. */
    public static long parseBytes(String text) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        if (t.endsWith("g") || t.endsWith("m") || t.endsWith("k")) {
            unit = switch (t.charAt(t.length() - 1)) {
                case 'g' -> 1L << 30;
                case 'm' -> 1L << 20;
                default -> 1L << 10;
            };
            t = t.substring(0, t.length() - 1);
        }
        try {
            long n = Long.parseLong(t);
            if (n > 0 && n <= Long.MAX_VALUE / unit) {
                return n * unit;
            }
        } catch (NumberFormatException e) {
            // the message below says what is accepted
        }
        throw new IllegalArgumentException("'" + text + "' is not a size; use bytes or a number with k, m or g, e.g. 4g");
    }
}
