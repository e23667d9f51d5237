package io.segstream.training.data;

/**
 * Resizes interleaved RGB bytes bilinearly (half-pixel centres, as ONNX {@code Resize} and OpenCV do) and class-id
 * maps by nearest neighbour (labels must never be blended).
 */
public final class Resampler {
    private Resampler() {
    }

    /** Bilinear resize of {@code channels}-interleaved bytes from w×h to ow×oh. */
    public static byte[] bilinear(byte[] src, int w, int h, int channels, int ow, int oh) {
        if (ow == w && oh == h) {
            return src.clone();
        }
        byte[] out = new byte[ow * oh * channels];
        double sy = (double) h / oh;
        double sx = (double) w / ow;
        int[] x0 = new int[ow];
        int[] x1 = new int[ow];
        double[] fx = new double[ow];
        for (int x = 0; x < ow; x++) {
            double p = Math.max(0, (x + 0.5) * sx - 0.5);
            x0[x] = Math.min((int) p, w - 1);
            x1[x] = Math.min(x0[x] + 1, w - 1);
            fx[x] = p - (int) p;
        }
        for (int y = 0; y < oh; y++) {
            double p = Math.max(0, (y + 0.5) * sy - 0.5);
            int y0 = Math.min((int) p, h - 1);
            int y1 = Math.min(y0 + 1, h - 1);
            double fy = p - (int) p;
            for (int x = 0; x < ow; x++) {
                int a = (y0 * w + x0[x]) * channels;
                int b = (y0 * w + x1[x]) * channels;
                int c = (y1 * w + x0[x]) * channels;
                int d = (y1 * w + x1[x]) * channels;
                int o = (y * ow + x) * channels;
                for (int k = 0; k < channels; k++) {
                    double top = (src[a + k] & 0xFF) * (1 - fx[x]) + (src[b + k] & 0xFF) * fx[x];
                    double bottom = (src[c + k] & 0xFF) * (1 - fx[x]) + (src[d + k] & 0xFF) * fx[x];
                    out[o + k] = (byte) Math.round(top * (1 - fy) + bottom * fy);
                }
            }
        }
        return out;
    }

    /** Nearest-neighbour resize of a one-byte-per-pixel map from w×h to ow×oh. */
    public static byte[] nearest(byte[] src, int w, int h, int ow, int oh) {
        if (ow == w && oh == h) {
            return src.clone();
        }
        byte[] out = new byte[ow * oh];
        int[] xs = new int[ow];
        for (int x = 0; x < ow; x++) {
            xs[x] = Math.min(w - 1, (int) ((x + 0.5) * w / ow));
        }
        for (int y = 0; y < oh; y++) {
            int sy = Math.min(h - 1, (int) ((y + 0.5) * h / oh));
            for (int x = 0; x < ow; x++) {
                out[y * ow + x] = src[sy * w + xs[x]];
            }
        }
        return out;
    }
}
