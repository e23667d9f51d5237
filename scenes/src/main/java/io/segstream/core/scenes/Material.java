package io.segstream.core.scenes;

/**
 * How a surface looks: a base colour, fractal texture noise in world units and an optional pattern
 * (windows, lamps, sign faces, a fence mesh…) laid out in the surface's texture coordinates.
 *
 * <p>Materials only ever change the RGB image; the label of a pixel comes from the primitive that covers it.
 */
final class Material {
    enum Pattern {
        PLAIN, WINDOWS, GLASS, FRAMED_GLASS, VEHICLE_END, TRAIN_FRONT, LAMPS, SIGN_RING, SIGN_BORDER, MESH,
        WINDOW_BAND, EDGE_LINE, SKY, HOOD
    }

    private final float r;
    private final float g;
    private final float b;
    private final float r2;
    private final float g2;
    private final float b2;
    private final float noise;
    private final double scale;
    private final int octaves;
    private final int seed;
    private final Pattern pattern;
    private final double pa;
    private final double pb;
    private final double pc;
    private final double pd;

    private Material(int base, int second, float noise, double scale, int octaves, int seed, Pattern pattern,
            double pa, double pb, double pc, double pd) {
        this.r = (base >> 16) & 0xFF;
        this.g = (base >> 8) & 0xFF;
        this.b = base & 0xFF;
        this.r2 = (second >> 16) & 0xFF;
        this.g2 = (second >> 8) & 0xFF;
        this.b2 = second & 0xFF;
        this.noise = noise;
        this.scale = scale;
        this.octaves = octaves;
        this.seed = seed;
        this.pattern = pattern;
        this.pa = pa;
        this.pb = pb;
        this.pc = pc;
        this.pd = pd;
    }

    /** A plain colour with texture noise of relative amplitude {@code noise} and largest grain {@code scale} metres. */
    static Material of(int rgb, float noise, double scale, int seed) {
        return new Material(rgb, 0, noise, scale, 4, seed, Pattern.PLAIN, 0, 0, 0, 0);
    }

    /** A patterned material; the meaning of {@code a..d} depends on the pattern (see {@link #shade}). */
    static Material patterned(Pattern pattern, int base, int second, float noise, double scale, int seed,
            double a, double b, double c, double d) {
        return new Material(base, second, noise, scale, 4, seed, pattern, a, b, c, d);
    }

    static int pack(double r, double g, double b) {
        return (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
    }

    static int clamp(double c) {
        if (c <= 0) {
            return 0;
        }
        return c >= 255 ? 255 : (int) (c + 0.5);
    }

    /**
     * Colour of the surface at texture coordinates {@code (u, v)} metres.
     *
     * @param depth     camera-space depth of the point (metres)
     * @param pixelSize metres one pixel covers at that depth (limits the texture detail)
     * @param light     brightness factor of the face (sun and sky light)
     */
    int shade(double u, double v, double depth, double pixelSize, int px, int py, float light) {
        double fr = r;
        double fg = g;
        double fb = b;
        double mix = 0;
        double m2 = 1;
        switch (pattern) {
            case PLAIN -> { }
            case WINDOWS -> {
                // a: cell width, b: storey height, c: window width fraction, d: window height fraction;
                // nothing below the first storey.
                if (v > pb) {
                    double cu = u / pa;
                    double cv = (v - pb) / pb;
                    double fu = cu - Math.floor(cu);
                    double fv = cv - Math.floor(cv);
                    if (Math.abs(fu - 0.5) < pc / 2 && fv > 0.2 && fv < 0.2 + pd) {
                        mix = 1;
                        m2 = 0.55 + 0.9 * Noise.unit((int) Math.floor(cu), (int) Math.floor(cv), seed);
                    }
                }
            }
            case GLASS -> {
                mix = 1;
                m2 = 0.7 + 0.6 * Math.min(1, Math.max(0, v / pa));
            }
            case FRAMED_GLASS -> {
                if (u > pc && u < pa - pc && v > pc && v < pb - pc) {
                    mix = 1;
                    m2 = 0.7 + 0.6 * (v / pb);
                }
            }
            case VEHICLE_END -> {
                double fu = u / pa;
                double fv = v / pb;
                if (fv > 0.55 && fv < 0.8 && (fu < 0.18 || fu > 0.82)) {
                    mix = 1;
                } else if (fv > 0.25 && fv < 0.4 && fu > 0.38 && fu < 0.62) {
                    fr = 225;
                    fg = 225;
                    fb = 215;
                }
            }
            case TRAIN_FRONT -> {
                double fu = u / pa;
                double fv = v / pb;
                if (fv > 0.55 && fv < 0.85 && fu > 0.1 && fu < 0.9) {
                    fr = 40;
                    fg = 55;
                    fb = 70;
                    m2 = 0.8 + 0.5 * fv;
                } else if (fv > 0.18 && fv < 0.28 && (fu < 0.2 || fu > 0.8)) {
                    mix = 1;
                }
            }
            case LAMPS -> {
                // a: housing width, b: height, c: index of the lit lamp from the top
                double rad = 0.33 * pa;
                for (int k = 0; k < 3; k++) {
                    double cy = pb * (5 - 2 * k) / 6.0;
                    double du = u - pa / 2;
                    double dv = v - cy;
                    if (du * du + dv * dv < rad * rad) {
                        if (k == (int) pc) {
                            mix = 1;
                        } else {
                            fr = 28;
                            fg = 28;
                            fb = 26;
                        }
                    }
                }
            }
            case SIGN_RING -> {
                double du = (u - pa / 2) / (pa / 2);
                double dv = (v - pb / 2) / (pb / 2);
                if (du * du + dv * dv > 0.55) {
                    mix = 1;
                }
            }
            case SIGN_BORDER -> {
                double e = Math.min(Math.min(u, pa - u), Math.min(v, pb - v));
                if (e < pc) {
                    mix = 1;
                }
            }
            case MESH -> {
                double p1 = (u + v) / pa;
                double p2 = (u - v) / pa;
                double f1 = p1 - Math.floor(p1);
                double f2 = p2 - Math.floor(p2);
                boolean wire = (f1 < pc || f2 < pc) && pa > 2 * pixelSize;
                if (!wire) {
                    // with wires finer than a pixel the mesh reads as a blend of wire and what lies behind
                    mix = pa > 2 * pixelSize ? 1 : 0.6;
                }
            }
            case WINDOW_BAND -> {
                // a: pillar spacing, b: pillar width, c..d: band heights
                if (v > pc && v < pd) {
                    double fu = u / pa - Math.floor(u / pa);
                    if (fu * pa > pb) {
                        mix = 1;
                        m2 = 0.7 + 0.5 * (v - pc) / (pd - pc);
                    }
                }
            }
            case EDGE_LINE -> {
                double w = pd == 0 ? u : v;
                if (w > pa && w < pb) {
                    mix = 1;
                }
            }
            case SKY -> {
                // a: horizon row, b: focal length, c: cloud cover 0..1; u, v are pixel coordinates
                double t = Math.max(0, Math.min(1, 1 - (pa - v) / (0.9 * pa + 1)));
                mix = t * t;
                double cu = (u - 0.5 * pb) / pb;
                double cv = (pa - v) / pb;
                double cloud = Noise.fbm(cu * 6, cv * 14, 1, 5, 0.002, seed) * 0.5 + 0.5;
                double cover = Math.max(0, cloud - (1 - pc)) / Math.max(0.05, pc);
                double cr = fr + (r2 - fr) * mix;
                double cg = fg + (g2 - fg) * mix;
                double cb = fb + (b2 - fb) * mix;
                double w = Math.min(1, cover * 1.6);
                double shadeC = 0.85 + 0.3 * cloud;
                return pack((cr + (235 * shadeC - cr) * w) * light, (cg + (235 * shadeC - cg) * w) * light,
                        (cb + (238 * shadeC - cb) * w) * light);
            }
            case HOOD -> {
                // a: top row of the hood, b: image height; a reflection of the sky fades towards the bottom
                double t = Math.max(0, Math.min(1, (v - pa) / Math.max(1, pb - pa)));
                mix = 0.45 * (1 - t) * (1 - t);
            }
        }
        if (mix > 0) {
            fr += (r2 * m2 - fr) * mix;
            fg += (g2 * m2 - fg) * mix;
            fb += (b2 * m2 - fb) * mix;
        }
        double k = light;
        if (noise > 0) {
            k *= 1 + noise * Noise.fbm(u, v, scale, octaves, pixelSize, seed);
        }
        return pack(fr * k, fg * k, fb * k);
    }
}
