package io.segstream.core.scenes;

import io.segstream.core.labels.CityscapesIds;
/**
 * Camera and weather effects applied to the finished RGB image only: haze by depth, colour response, vignette,
 * rain streaks, slight blur and sensor noise. Labels are never touched.
 */
final class PostEffects {
    private PostEffects() {}

    static void apply(Canvas c, Style st, int seed) {
        int w = c.width;
        int h = c.height;
        int n = w * h;
        float[] r = new float[n];
        float[] g = new float[n];
        float[] b = new float[n];
        double hr = (st.haze >> 16) & 0xFF;
        double hg = (st.haze >> 8) & 0xFF;
        double hb = st.haze & 0xFF;
        // haze weight by depth, tabulated: exp per pixel is the costliest step otherwise
        int steps = 4096;
        double[] hazeTable = new double[steps + 2];
        for (int k = 0; k <= steps + 1; k++) {
            hazeTable[k] = 1 - StrictMath.exp(-(4000.0 * k / steps) / st.visibility);
        }
        double cx = w / 2.0;
        double cy = h / 2.0;
        double norm = 1.0 / (cx * cx + cy * cy);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int p = c.rgb[i];
                double pr = (p >> 16) & 0xFF;
                double pg = (p >> 8) & 0xFF;
                double pb = p & 0xFF;
                if (c.label[i] != CityscapesIds.SKY) {
                    double q = Math.min(c.depth[i], 4000.0) * steps / 4000.0;
                    int k = (int) q;
                    double a = hazeTable[k] + (hazeTable[k + 1] - hazeTable[k]) * (q - k);
                    pr += (hr - pr) * a;
                    pg += (hg - pg) * a;
                    pb += (hb - pb) * a;
                }
                double lum = 0.299 * pr + 0.587 * pg + 0.114 * pb;
                pr = lum + (pr - lum) * st.saturation;
                pg = lum + (pg - lum) * st.saturation;
                pb = lum + (pb - lum) * st.saturation;
                double dx = x + 0.5 - cx;
                double dy = y + 0.5 - cy;
                double k = st.exposure * (1 - st.vignette * (dx * dx + dy * dy) * norm);
                r[i] = (float) (((pr / 255 - 0.5) * st.contrast + 0.5) * 255 * k * st.tintR);
                g[i] = (float) (((pg / 255 - 0.5) * st.contrast + 0.5) * 255 * k * st.tintG);
                b[i] = (float) (((pb / 255 - 0.5) * st.contrast + 0.5) * 255 * k * st.tintB);
            }
        }
        if (st.rain) {
            rain(r, g, b, w, h, st, seed);
        }
        if (st.blur > 0) {
            blur(r, w, h, st.blur);
            blur(g, w, h, st.blur);
            blur(b, w, h, st.blur);
        }
        double sigma = st.noiseSigma;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                double common = gauss(x, y, seed) * sigma;
                double nr = common + (Noise.unit(x, y, seed + 101) - 0.5) * sigma;
                double ng = common + (Noise.unit(x, y, seed + 202) - 0.5) * sigma;
                double nb = common + (Noise.unit(x, y, seed + 303) - 0.5) * sigma;
                c.rgb[i] = Material.pack(r[i] + nr, g[i] + ng, b[i] + nb);
            }
        }
    }

    /** Roughly normal noise with unit spread from three hashed uniforms. */
    private static double gauss(int x, int y, int seed) {
        return (Noise.unit(x, y, seed) + Noise.unit(x, y, seed + 1) + Noise.unit(x, y, seed + 2) - 1.5) * 2;
    }

    private static void rain(float[] r, float[] g, float[] b, int w, int h, Style st, int seed) {
        int count = (int) (st.rainDensity * w * h / 1800.0);
        double scale = h / 1024.0;
        for (int k = 0; k < count; k++) {
            double x0 = Noise.unit(k, 1, seed) * w;
            double y0 = Noise.unit(k, 2, seed) * h;
            double len = (8 + 26 * Noise.unit(k, 3, seed)) * scale + 2;
            double alpha = 0.12 + 0.18 * Noise.unit(k, 4, seed);
            int steps = (int) Math.ceil(len);
            for (int j = 0; j < steps; j++) {
                int x = (int) (x0 + st.rainSlant * j);
                int y = (int) (y0 + j);
                if (x < 0 || x >= w || y < 0 || y >= h) {
                    continue;
                }
                int i = y * w + x;
                r[i] += (float) ((215 - r[i]) * alpha);
                g[i] += (float) ((220 - g[i]) * alpha);
                b[i] += (float) ((228 - b[i]) * alpha);
            }
        }
    }

    /** Mixes in a 3x3 binomial blur with weight {@code amount}. */
    private static void blur(float[] a, int w, int h, double amount) {
        float[] tmp = new float[a.length];
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int x = 0; x < w; x++) {
                float left = a[row + Math.max(0, x - 1)];
                float right = a[row + Math.min(w - 1, x + 1)];
                tmp[row + x] = 0.25f * left + 0.5f * a[row + x] + 0.25f * right;
            }
        }
        float k = (float) amount;
        for (int y = 0; y < h; y++) {
            int up = Math.max(0, y - 1) * w;
            int row = y * w;
            int down = Math.min(h - 1, y + 1) * w;
            for (int x = 0; x < w; x++) {
                float v = 0.25f * tmp[up + x] + 0.5f * tmp[row + x] + 0.25f * tmp[down + x];
                a[row + x] += (v - a[row + x]) * k;
            }
        }
    }
}
