package io.segstream.core.scenes;

import java.util.SplittableRandom;

/**
 * The look of one scene or drive: weather, light, camera response and the colour of every kind of surface.
 *
 * <p>Colours are drawn per scene from ranges that overlap between classes (grey ballast, grey road and grey
 * pavement; dry grass and autumn trees), so a model has to learn shapes and context, not a colour lookup.
 */
final class Style {
    final int seed;
    final int skyTop;
    final int skyHorizon;
    final int haze;
    final double visibility;
    final double clouds;
    final boolean rain;
    final boolean sunny;
    final int sunSide;
    final double shadowLength;
    final double shadowSkew;
    final float shadowFactor;
    final float lightSun;
    final float lightShade;
    final float lightFront;
    final float lightTop;

    final double exposure;
    final double contrast;
    final double saturation;
    final double tintR;
    final double tintG;
    final double tintB;
    final double noiseSigma;
    final double blur;
    final double vignette;
    final double rainDensity;
    final double rainSlant;

    final int road;
    final int laneMark;
    final int sidewalk;
    final int kerb;
    final int terrain;
    final int vegetation;
    final int ballast;
    final int sleeper;
    final int rail;
    final int fenceWire;
    final int wall;
    final int pole;

    Style(SplittableRandom r) {
        seed = r.nextInt();
        double skyPick = r.nextDouble();
        boolean fog = skyPick >= 0.9;
        boolean dusk = skyPick >= 0.8 && !fog;
        boolean overcast = skyPick >= 0.45 && !dusk && !fog;
        rain = (overcast || fog) && r.nextDouble() < 0.45;
        if (fog) {
            int g = range(r, 185, 225);
            skyTop = hsv(r.nextDouble() * 360, range(r, 0.0, 0.05), g);
            skyHorizon = hsv(0, 0, Math.min(245, g + 12));
            visibility = range(r, 70, 220);
            clouds = 0.2;
        } else if (dusk) {
            skyTop = hsv(range(r, 215, 245), range(r, 0.3, 0.55), range(r, 80, 140));
            skyHorizon = hsv(range(r, 15, 40), range(r, 0.35, 0.65), range(r, 185, 240));
            visibility = range(r, 600, 3000);
            clouds = range(r, 0.1, 0.6);
        } else if (overcast) {
            int g = range(r, 140, 200);
            skyTop = hsv(range(r, 195, 230), range(r, 0.02, 0.12), g);
            skyHorizon = hsv(range(r, 195, 230), range(r, 0.0, 0.06), Math.min(245, g + range(r, 15, 45)));
            visibility = rain ? range(r, 250, 900) : range(r, 700, 3000);
            clouds = range(r, 0.6, 0.95);
        } else {
            skyTop = hsv(range(r, 200, 222), range(r, 0.4, 0.7), range(r, 150, 215));
            skyHorizon = hsv(range(r, 195, 215), range(r, 0.08, 0.3), range(r, 200, 245));
            visibility = range(r, 1200, 5000);
            clouds = range(r, 0.05, 0.5);
        }
        haze = blend(skyHorizon, hsv(0, 0, 200), 0.4);
        sunny = !fog && !overcast && !rain;
        sunSide = r.nextBoolean() ? 1 : -1;
        shadowLength = range(r, 0.5, 2.2);
        shadowSkew = range(r, -0.8, 0.8);
        shadowFactor = (float) range(r, 0.42, 0.65);
        if (sunny) {
            lightSun = (float) range(r, 1.0, 1.12);
            lightShade = (float) range(r, 0.6, 0.8);
            lightFront = (float) range(r, 0.78, 0.95);
        } else {
            lightSun = (float) range(r, 0.9, 1.0);
            lightShade = (float) range(r, 0.82, 0.95);
            lightFront = (float) range(r, 0.85, 0.97);
        }
        lightTop = (float) range(r, 1.0, 1.12);

        exposure = dusk ? range(r, 0.68, 0.9) : rain ? range(r, 0.75, 0.95) : range(r, 0.85, 1.18);
        contrast = fog ? range(r, 0.7, 0.9) : range(r, 0.85, 1.15);
        saturation = rain || fog ? range(r, 0.6, 0.9) : range(r, 0.8, 1.2);
        tintR = range(r, 0.93, 1.07) * (dusk ? 1.05 : 1.0);
        tintG = range(r, 0.95, 1.05);
        tintB = range(r, 0.93, 1.07);
        noiseSigma = range(r, 1.5, rain || dusk ? 8 : 5);
        blur = range(r, 0.0, 0.7);
        vignette = range(r, 0.0, 0.35);
        rainDensity = rain ? range(r, 0.3, 1.0) : 0;
        rainSlant = range(r, -0.35, 0.35);

        int asphalt = hsv(r.nextDouble() * 360, range(r, 0.0, 0.12), range(r, 65, 125));
        road = rain ? scale(asphalt, 0.75) : asphalt;
        laneMark = hsv(range(r, 40, 55), range(r, 0.0, 0.25), range(r, 185, 235));
        double sw = r.nextDouble();
        if (sw < 0.5) {
            sidewalk = hsv(r.nextDouble() * 360, range(r, 0.0, 0.08), range(r, 100, 175));
        } else if (sw < 0.8) {
            sidewalk = hsv(range(r, 5, 25), range(r, 0.2, 0.42), range(r, 105, 160));
        } else {
            sidewalk = hsv(range(r, 28, 45), range(r, 0.12, 0.3), range(r, 125, 180));
        }
        kerb = r.nextBoolean() ? scale(sidewalk, 1.18) : hsv(0, 0, range(r, 140, 195));
        double tp = r.nextDouble();
        if (tp < 0.6) {
            terrain = hsv(range(r, 65, 110), range(r, 0.25, 0.55), range(r, 75, 150));
        } else if (tp < 0.85) {
            terrain = hsv(range(r, 35, 60), range(r, 0.25, 0.5), range(r, 105, 170));
        } else {
            terrain = hsv(range(r, 18, 35), range(r, 0.3, 0.5), range(r, 80, 130));
        }
        if (r.nextDouble() < 0.15) {
            vegetation = hsv(range(r, 18, 50), range(r, 0.5, 0.8), range(r, 80, 150));
        } else {
            vegetation = hsv(range(r, 72, 130), range(r, 0.3, 0.65), range(r, 40, 110));
        }
        ballast = hsv(range(r, 18, 40), range(r, 0.05, 0.25), range(r, 85, 150));
        sleeper = r.nextDouble() < 0.6 ? hsv(range(r, 25, 40), range(r, 0.0, 0.08), range(r, 125, 180))
                : hsv(range(r, 18, 30), range(r, 0.3, 0.5), range(r, 55, 95));
        rail = hsv(range(r, 18, 30), range(r, 0.08, 0.3), range(r, 125, 175));
        fenceWire = r.nextDouble() < 0.6 ? hsv(r.nextDouble() * 360, range(r, 0.0, 0.12), range(r, 90, 170))
                : hsv(range(r, 110, 150), range(r, 0.3, 0.5), range(r, 60, 110));
        wall = r.nextDouble() < 0.7 ? hsv(range(r, 25, 45), range(r, 0.0, 0.15), range(r, 110, 190))
                : hsv(range(r, 5, 20), range(r, 0.4, 0.6), range(r, 100, 150));
        pole = r.nextDouble() < 0.75 ? hsv(range(r, 180, 220), range(r, 0.0, 0.1), range(r, 80, 170))
                : hsv(range(r, 120, 160), range(r, 0.3, 0.5), range(r, 40, 80));
    }

    /** Light factor of a vertical face whose outward normal points to {@code side} (-1 left, +1 right, 0 camera). */
    float sideLight(double side) {
        if (side == 0) {
            return lightFront;
        }
        return side * sunSide > 0 ? lightSun : lightShade;
    }

    /** A facade colour for one building. */
    static int buildingColour(SplittableRandom r) {
        double p = r.nextDouble();
        if (p < 0.3) {
            return hsv(r.nextDouble() * 360, range(r, 0.0, 0.08), range(r, 90, 200));
        } else if (p < 0.55) {
            return hsv(range(r, 25, 50), range(r, 0.1, 0.35), range(r, 140, 220));
        } else if (p < 0.75) {
            return hsv(range(r, 3, 20), range(r, 0.4, 0.65), range(r, 90, 160));
        } else if (p < 0.88) {
            return hsv(0, 0, range(r, 200, 240));
        }
        return hsv(r.nextDouble() * 360, range(r, 0.15, 0.35), range(r, 150, 220));
    }

    /** A paint colour for one vehicle. */
    static int vehicleColour(SplittableRandom r) {
        double p = r.nextDouble();
        if (p < 0.25) {
            return hsv(range(r, 190, 230), range(r, 0.0, 0.06), range(r, 130, 200));
        } else if (p < 0.45) {
            return hsv(r.nextDouble() * 360, range(r, 0.0, 0.1), range(r, 18, 50));
        } else if (p < 0.65) {
            return hsv(r.nextDouble() * 360, range(r, 0.0, 0.05), range(r, 200, 240));
        }
        return hsv(r.nextDouble() * 360, range(r, 0.4, 0.85), range(r, 80, 200));
    }

    static int clothes(SplittableRandom r) {
        return hsv(r.nextDouble() * 360, range(r, 0.0, 0.8), r.nextDouble() < 0.5 ? range(r, 25, 80) : range(r, 80, 210));
    }

    static int skin(SplittableRandom r) {
        return hsv(range(r, 12, 30), range(r, 0.25, 0.6), range(r, 85, 230));
    }

    static double range(SplittableRandom r, double lo, double hi) {
        return lo + (hi - lo) * r.nextDouble();
    }

    static int range(SplittableRandom r, int lo, int hi) {
        return lo + r.nextInt(hi - lo + 1);
    }

    /** Packed RGB from hue (degrees), saturation (0..1) and value (0..255). */
    static int hsv(double h, double s, double v) {
        double hh = ((h % 360) + 360) % 360 / 60.0;
        int i = (int) Math.floor(hh);
        double f = hh - i;
        double p = v * (1 - s);
        double q = v * (1 - s * f);
        double t = v * (1 - s * (1 - f));
        return switch (i) {
            case 0 -> Material.pack(v, t, p);
            case 1 -> Material.pack(q, v, p);
            case 2 -> Material.pack(p, v, t);
            case 3 -> Material.pack(p, q, v);
            case 4 -> Material.pack(t, p, v);
            default -> Material.pack(v, p, q);
        };
    }

    static int scale(int rgb, double k) {
        return Material.pack(((rgb >> 16) & 0xFF) * k, ((rgb >> 8) & 0xFF) * k, (rgb & 0xFF) * k);
    }

    static int blend(int a, int b, double t) {
        return Material.pack(((a >> 16) & 0xFF) * (1 - t) + ((b >> 16) & 0xFF) * t,
                ((a >> 8) & 0xFF) * (1 - t) + ((b >> 8) & 0xFF) * t, (a & 0xFF) * (1 - t) + (b & 0xFF) * t);
    }
}
