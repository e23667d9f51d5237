package io.segstream.core.scenes;

/**
 * Integer hashing and value noise: the only source of randomness inside a rendered image.
 *
 * <p>Everything is a pure function of its arguments, so the same coordinates and seed give the same value on
 * every machine and in every thread.
 */
final class Noise {
    private Noise() {}

    /** A well-mixed 32-bit hash of two coordinates and a seed. */
    static int hash(int x, int y, int seed) {
        int h = seed * 0x9E3779B1 ^ x * 0x85EBCA6B ^ y * 0xC2B2AE35;
        h ^= h >>> 16;
        h *= 0x7FEB352D;
        h ^= h >>> 15;
        h *= 0x846CA68B;
        h ^= h >>> 16;
        return h;
    }

    /** A value in [0, 1) hashed from two coordinates and a seed. */
    static double unit(int x, int y, int seed) {
        return (hash(x, y, seed) >>> 8) * (1.0 / 16777216.0);
    }

    /** SplitMix64 finaliser: derives independent 64-bit seeds from a seed and a salt. */
    static long mix(long seed, long salt) {
        long z = seed + 0x9E3779B97F4A7C15L * (salt + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Smooth value noise in [0, 1) on a unit lattice. */
    static double value(double u, double v, int seed) {
        double fu = Math.floor(u);
        double fv = Math.floor(v);
        int x = (int) fu;
        int y = (int) fv;
        double tu = u - fu;
        double tv = v - fv;
        tu = tu * tu * (3 - 2 * tu);
        tv = tv * tv * (3 - 2 * tv);
        double a = unit(x, y, seed);
        double b = unit(x + 1, y, seed);
        double c = unit(x, y + 1, seed);
        double d = unit(x + 1, y + 1, seed);
        double top = a + (b - a) * tu;
        double bottom = c + (d - c) * tu;
        return top + (bottom - top) * tv;
    }

    /**
     * Fractal noise in about [-1, 1] over world coordinates in metres.
     *
     * @param scale      size of the largest octave in metres
     * @param pixelSize  metres a pixel covers here; octaves finer than two pixels are left out, which keeps
     *                   distant surfaces from turning into per-pixel speckle
     */
    static double fbm(double u, double v, double scale, int octaves, double pixelSize, int seed) {
        double sum = 0;
        double amp = 1;
        double s = scale;
        for (int o = 0; o < octaves && s > 2 * pixelSize; o++) {
            sum += amp * (value(u / s, v / s, seed + o * 1013) * 2 - 1);
            amp *= 0.5;
            s *= 0.5;
        }
        return sum;
    }
}
