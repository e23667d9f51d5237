package io.segstream.core.segment;

import io.segstream.core.imaging.YcbcrPlanes;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FramePreprocessor}'s passes over a 4:2:0 frame's rows in the JDK's vector API, giving the same floats as its
 * scalar passes: the same operations in the same order, each rounded on its own (no fused multiply-add), and the
 * integer parts exact. Only loaded where the JVM runs with {@code --add-modules jdk.incubator.vector}
 * ({@link FramePreprocessor#vectorApiPresent()}); it needs a vector of floats as wide as one of bytes it converts,
 * so a byte vector of {@link #floatLanes()} lanes.
 *
 * <p>What it takes off a 1024x512 frame's preprocessing here (AVX-512, one thread): 0.53-0.59 ms scalar, 0.27-0.32
 * vectorised. HotSpot's own vectoriser leaves the byte-to-int-to-float conversions of the chroma scalar, and the
 * colour conversion as one loop (README, Performance).
 */
final class VectorRows {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> BYTES =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(FLOATS.length() * Byte.SIZE));

    private VectorRows() {
    }

    /** Floats in one vector on this machine: 16 with AVX-512, 8 with AVX2, 4 with SSE or NEON. */
    static int floatLanes() {
        return FLOATS.length();
    }

    /**
     * Bytes {@code from} to {@code to - 1} of a chroma row starting at {@code o} smoothed across by [1 6 1], each an
     * exact integer held in a float, as {@code FramePreprocessor.across} does for the columns that have two
     * neighbours; returns where it stopped (the scalar loop does the rest).
     */
    static int across(byte[] plane, int o, int from, int to, float[] out) {
        int x = from;
        int step = FLOATS.length();
        for (; x + step <= to; x += step) {
            IntVector left = unsigned(plane, o + x - 1);
            IntVector at = unsigned(plane, o + x);
            IntVector right = unsigned(plane, o + x + 1);
            ((FloatVector) left.add(at.mul(6)).add(right).convertShape(VectorOperators.I2F, FLOATS, 0))
                    .intoArray(out, x);
        }
        return x;
    }

    private static IntVector unsigned(byte[] plane, int i) {
        return ((IntVector) ByteVector.fromArray(BYTES, plane, i).convertShape(VectorOperators.B2I, INTS, 0)).and(0xFF);
    }

    /**
     * The colour pass of one output row: chroma smoothed down from its three rows smoothed across, then red, green and
     * blue from luma and chroma, clamped to 0-255 and normalised with each channel's {@code scale} and {@code bias}
     * ({@code FramePreprocessor}'s {@code chroma}, {@code channel} and {@code green} in one loop); returns where it
     * stopped (the scalar passes do the rest).
     */
    static int colour(float[] luma, float[][] cb, float[][] cr, int up, int at, int down, float[] scale, float[] bias,
            float[] red, float[] green, float[] blue, int n) {
        int x = 0;
        int step = FLOATS.length();
        for (; x + step <= n; x += step) {
            FloatVector l = FloatVector.fromArray(FLOATS, luma, x);
            FloatVector b = down(cb, up, at, down, x);
            FloatVector r = down(cr, up, at, down, x);
            normalised(l.add(r.mul(YcbcrPlanes.CR_TO_RED)), scale[0], bias[0]).intoArray(red, x);
            normalised(l.add(b.mul(YcbcrPlanes.CB_TO_GREEN)).add(r.mul(YcbcrPlanes.CR_TO_GREEN)), scale[1], bias[1])
                    .intoArray(green, x);
            normalised(l.add(b.mul(YcbcrPlanes.CB_TO_BLUE)), scale[2], bias[2]).intoArray(blue, x);
        }
        return x;
    }

    /** {@code (up + 6 at + down) / 64 - 128} at columns {@code x} onwards of the three rows. */
    private static FloatVector down(float[][] rows, int up, int at, int down, int x) {
        return FloatVector.fromArray(FLOATS, rows[up], x).add(FloatVector.fromArray(FLOATS, rows[at], x).mul(6f))
                .add(FloatVector.fromArray(FLOATS, rows[down], x)).mul(1f / 64f).sub(128f);
    }

    private static FloatVector normalised(FloatVector v, float scale, float bias) {
        return v.max(0f).min(255f).mul(scale).add(bias);
    }
}
