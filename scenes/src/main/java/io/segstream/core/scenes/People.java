package io.segstream.core.scenes;

import static io.segstream.core.labels.CityscapesIds.*;

import java.util.SplittableRandom;

/** Draws people, cyclists and motorcyclists, and parked bicycles, each part with its label and instance id. */
final class People {
    private People() {}

    private static double[][] tube(double x0, double y0, double x1, double y1, double w0, double w1) {
        double dx = x1 - x0;
        double dy = y1 - y0;
        double len = Math.sqrt(dx * dx + dy * dy);
        if (len < 1e-9) {
            len = 1e-9;
        }
        double nx = -dy / len;
        double ny = dx / len;
        return new double[][] {
            {x0 + nx * w0 / 2, x1 + nx * w1 / 2, x1 - nx * w1 / 2, x0 - nx * w0 / 2},
            {y0 + ny * w0 / 2, y1 + ny * w1 / 2, y1 - ny * w1 / 2, y0 - ny * w0 / 2}
        };
    }

    private static double[][] ellipse(double cx, double cy, double rx, double ry, int n) {
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double a = 2 * Math.PI * i / n;
            x[i] = cx + rx * StrictMath.cos(a);
            y[i] = cy + ry * StrictMath.sin(a);
        }
        return new double[][] {x, y};
    }

    private static void part(Painter p, double s, double l, double h0, double dz, double[][] xy, Material m, int label,
            int inst) {
        p.billboard(s, l, h0, dz, xy[0], xy[1], m, p.style.lightFront, label, inst);
    }

    /**
     * A standing or walking person. {@code view}: 0 seen from the front or back (yaw says which: 0 walking away),
     * +1 / -1 seen from the side walking right / left.
     */
    static void person(Painter p, double s, double l, double h0, int view, double yaw, double phase,
            SplittableRandom r, int inst) {
        double h = Style.range(r, 1.55, 1.95);
        Material top = Material.of(Style.clothes(r), 0.12f, 0.25, r.nextInt());
        Material bottom = Material.of(Style.clothes(r), 0.12f, 0.25, r.nextInt());
        Material skin = Material.of(Style.skin(r), 0.06f, 0.1, r.nextInt());
        Material hair = Material.of(Style.hsv(Style.range(r, 15, 40), Style.range(r, 0.1, 0.6), Style.range(r, 20, 160)),
                0.1f, 0.05, r.nextInt());
        boolean away = StrictMath.cos(yaw) > 0;
        if (view == 0) {
            double lift = 0.03 * h * Math.abs(StrictMath.sin(phase));
            for (int sgn = -1; sgn <= 1; sgn += 2) {
                double raise = sgn * StrictMath.sin(phase) > 0 ? lift : 0;
                part(p, s, l, h0, 0, new double[][] {
                    {sgn * 0.01 * h, sgn * 0.098 * h, sgn * 0.085 * h, sgn * 0.025 * h},
                    {0.52 * h, 0.52 * h, raise, raise}}, bottom, PERSON, inst);
            }
            part(p, s, l, h0, 0, new double[][] {{-0.105 * h, 0.105 * h, 0.095 * h, -0.095 * h},
                {0.54 * h, 0.54 * h, 0.44 * h, 0.44 * h}}, bottom, PERSON, inst);
            part(p, s, l, h0, 0, new double[][] {{-0.125 * h, 0.125 * h, 0.105 * h, -0.105 * h},
                {0.82 * h, 0.82 * h, 0.52 * h, 0.52 * h}}, top, PERSON, inst);
            double swing = 0.02 * h * StrictMath.sin(phase);
            for (int sgn = -1; sgn <= 1; sgn += 2) {
                part(p, s, l, h0, 0, tube(sgn * 0.115 * h, 0.805 * h, sgn * 0.135 * h + sgn * swing, 0.47 * h,
                        0.05 * h, 0.04 * h), top, PERSON, inst);
                part(p, s, l, h0, 0, ellipse(sgn * 0.135 * h + sgn * swing, 0.455 * h, 0.022 * h, 0.028 * h, 8), skin,
                        PERSON, inst);
            }
            part(p, s, l, h0, 0, new double[][] {{-0.025 * h, 0.025 * h, 0.025 * h, -0.025 * h},
                {0.80 * h, 0.80 * h, 0.88 * h, 0.88 * h}}, skin, PERSON, inst);
            if (away) {
                part(p, s, l, h0, 0, ellipse(0, 0.932 * h, 0.057 * h, 0.066 * h, 14), hair, PERSON, inst);
            } else {
                part(p, s, l, h0, 0, ellipse(0, 0.945 * h, 0.058 * h, 0.058 * h, 14), hair, PERSON, inst);
                part(p, s, l, h0, 0, ellipse(0, 0.925 * h, 0.05 * h, 0.057 * h, 14), skin, PERSON, inst);
            }
            return;
        }
        double d = view;
        double a = 0.42 * StrictMath.sin(phase);
        for (int k = 0; k < 2; k++) {
            double ang = k == 0 ? a : -a;
            // the stance leg reaches the ground at any swing: the foot stays on it
            double fx = d * 0.52 * h * StrictMath.tan(ang);
            double fy = 0;
            part(p, s, l, h0, 0, tube(0, 0.52 * h, fx, fy + 0.02 * h, 0.075 * h, 0.05 * h), bottom, PERSON, inst);
            part(p, s, l, h0, 0, new double[][] {{fx - d * 0.025 * h, fx + d * 0.065 * h, fx + d * 0.065 * h,
                fx - d * 0.025 * h}, {fy, fy, fy + 0.035 * h, fy + 0.035 * h}}, bottom, PERSON, inst);
        }
        part(p, s, l, h0, 0, new double[][] {{-0.06 * h + 0.01 * d * h, 0.06 * h + 0.01 * d * h, 0.055 * h, -0.055 * h},
            {0.82 * h, 0.82 * h, 0.50 * h, 0.50 * h}}, top, PERSON, inst);
        double armAng = -0.8 * a;
        double hx = d * 0.32 * h * StrictMath.sin(armAng);
        double hy = 0.80 * h - 0.32 * h * StrictMath.cos(armAng);
        part(p, s, l, h0, 0, tube(0, 0.80 * h, hx, hy, 0.05 * h, 0.04 * h), top, PERSON, inst);
        part(p, s, l, h0, 0, ellipse(hx, hy, 0.022 * h, 0.026 * h, 8), skin, PERSON, inst);
        part(p, s, l, h0, 0, new double[][] {{-0.022 * h, 0.022 * h, 0.024 * h, -0.02 * h},
            {0.80 * h, 0.80 * h, 0.88 * h, 0.88 * h}}, skin, PERSON, inst);
        part(p, s, l, h0, 0, ellipse(0.012 * d * h, 0.93 * h, 0.05 * h, 0.064 * h, 14), skin, PERSON, inst);
        part(p, s, l, h0, 0, ellipse(-0.006 * d * h, 0.95 * h, 0.047 * h, 0.05 * h, 12), hair, PERSON, inst);
    }

    /** A bicycle seen from the side, facing {@code d} (+1 right, -1 left); {@code crank} is the pedal angle. */
    static void bicycleSide(Painter p, double s, double l, double d, double crank, SplittableRandom r,
            int inst, double dz) {
        double wheel = 0.34;
        double base = 0.52;
        Material frame = Material.of(Style.vehicleColour(r), 0.05f, 0.2, r.nextInt());
        Material tyre = Material.of(Props.TYRE, 0.05f, 0.1, 3);
        for (int k = -1; k <= 1; k += 2) {
            double[][] outer = ellipse(k * base, wheel, wheel, wheel, 20);
            double[][] inner = ellipse(k * base, wheel, wheel - 0.045, wheel - 0.045, 20);
            double[] x = new double[40];
            double[] y = new double[40];
            System.arraycopy(outer[0], 0, x, 0, 20);
            System.arraycopy(outer[1], 0, y, 0, 20);
            System.arraycopy(inner[0], 0, x, 20, 20);
            System.arraycopy(inner[1], 0, y, 20, 20);
            p.billboard(s, l, 0, dz, x, y, new int[] {20, 40}, 2, tyre, p.style.lightFront, BICYCLE, inst);
        }
        double[] rear = {-base * d, wheel};
        double[] bb = {-0.05 * d, 0.3};
        double[] seat = {-0.2 * d, 0.88};
        double[] head = {0.38 * d, 0.92};
        double[] fork = {base * d, wheel};
        double[][] tubes = {{rear[0], rear[1], bb[0], bb[1]}, {bb[0], bb[1], seat[0], seat[1]},
            {seat[0], seat[1], head[0], head[1]}, {head[0], head[1], fork[0], fork[1]},
            {rear[0], rear[1], seat[0], seat[1]},
            {bb[0], bb[1], head[0], head[1]}, {head[0], head[1], 0.35 * d, 1.03}, {0.3 * d, 1.03, 0.45 * d, 1.03},
            {seat[0] - 0.1 * d, 0.92, seat[0] + 0.08 * d, 0.92},
            {bb[0], bb[1], bb[0] + 0.17 * StrictMath.cos(crank), bb[1] + 0.17 * StrictMath.sin(crank)}};
        for (double[] t : tubes) {
            part(p, s, l, 0, dz, tube(t[0], t[1], t[2], t[3], 0.04, 0.04), frame, BICYCLE, inst);
        }
    }

    static void cyclist(Painter p, Placement pl, SplittableRandom r, int riderInst, int vehicleInst,
            boolean motor) {
        double s = pl.s();
        double l = pl.l();
        double sinYaw = StrictMath.sin(pl.yaw());
        int vehicleLabel = motor ? MOTORCYCLE : BICYCLE;
        Material clothes = Material.of(Style.clothes(r), 0.12f, 0.25, r.nextInt());
        Material trousers = Material.of(Style.clothes(r), 0.12f, 0.25, r.nextInt());
        Material helmet = Material.of(r.nextBoolean() ? Style.vehicleColour(r) : Style.skin(r), 0.08f, 0.1, r.nextInt());
        double phase = pl.phase();
        p.begin();
        if (Math.abs(sinYaw) > 0.7) {
            double d = Math.signum(sinYaw);
            if (motor) {
                Material tyre = Material.of(Props.TYRE, 0.05f, 0.1, 3);
                Material body = Material.of(Style.vehicleColour(r), 0.05f, 0.3, r.nextInt());
                for (int k = -1; k <= 1; k += 2) {
                    part(p, s, l, 0, 0, ellipse(k * 0.72, 0.32, 0.32, 0.32, 18), tyre, vehicleLabel, vehicleInst);
                }
                part(p, s, l, 0, -0.01, new double[][] {{-0.75 * d, -0.2 * d, 0.35 * d, 0.62 * d, 0.55 * d, -0.1 * d},
                    {0.6, 0.95, 0.95, 0.8, 0.45, 0.32}}, body, vehicleLabel, vehicleInst);
            } else {
                bicycleSide(p, s, l, d, phase, r, vehicleInst, 0);
            }
            p.end(vehicleLabel, vehicleInst, s, l, pl.intrusion(), pl.onCross());
            p.begin();
            double[] hip = motor ? new double[] {-0.15 * d, 1.0} : new double[] {-0.2 * d, 0.98};
            double[] shoulder = {0.08 * d, 1.45};
            double[] hand = motor ? new double[] {0.45 * d, 1.05} : new double[] {0.36 * d, 1.03};
            for (int k = 0; k < 2; k++) {
                double[] foot;
                double[] knee;
                if (motor) {
                    foot = new double[] {-0.05 * d, 0.42};
                    knee = new double[] {0.2 * d, 0.78};
                } else {
                    double c = phase + k * Math.PI;
                    foot = new double[] {-0.05 * d + 0.17 * StrictMath.cos(c), 0.3 + 0.17 * StrictMath.sin(c)};
                    knee = new double[] {(hip[0] + foot[0]) / 2 + 0.18 * d, (hip[1] + foot[1]) / 2 + 0.05};
                }
                part(p, s, l, 0, -0.02, tube(hip[0], hip[1], knee[0], knee[1], 0.13, 0.11), trousers, RIDER, riderInst);
                part(p, s, l, 0, -0.02, tube(knee[0], knee[1], foot[0], foot[1], 0.11, 0.09), trousers, RIDER, riderInst);
            }
            part(p, s, l, 0, -0.02, tube(hip[0], hip[1], shoulder[0], shoulder[1], 0.3, 0.26), clothes, RIDER, riderInst);
            part(p, s, l, 0, -0.02, tube(shoulder[0], shoulder[1], hand[0], hand[1], 0.09, 0.07), clothes, RIDER,
                    riderInst);
            part(p, s, l, 0, -0.02, ellipse(0.16 * d, 1.62, 0.11, 0.12, 14), helmet, RIDER, riderInst);
            p.end(RIDER, riderInst, s, l, pl.intrusion(), pl.onCross());
            return;
        }
        Material tyre = Material.of(Props.TYRE, 0.05f, 0.1, 3);
        Material frame = Material.of(Style.vehicleColour(r), 0.05f, 0.2, r.nextInt());
        if (motor) {
            part(p, s, l, 0, 0, new double[][] {{-0.07, 0.07, 0.07, -0.07}, {0, 0, 0.64, 0.64}}, tyre, vehicleLabel,
                    vehicleInst);
            part(p, s, l, 0, 0, new double[][] {{-0.26, 0.26, 0.22, -0.22}, {0.35, 0.35, 0.95, 0.95}}, frame, vehicleLabel,
                    vehicleInst);
        } else {
            part(p, s, l, 0, 0, new double[][] {{-0.025, 0.025, 0.025, -0.025}, {0, 0, 0.68, 0.68}}, tyre, vehicleLabel,
                    vehicleInst);
            part(p, s, l, 0, 0, new double[][] {{-0.03, 0.03, 0.03, -0.03}, {0.3, 0.3, 0.98, 0.98}}, frame, vehicleLabel,
                    vehicleInst);
        }
        part(p, s, l, 0, 0, new double[][] {{-0.32, 0.32, 0.32, -0.32}, {0.98, 0.98, 1.03, 1.03}}, frame, vehicleLabel,
                vehicleInst);
        p.end(vehicleLabel, vehicleInst, s, l, pl.intrusion(), pl.onCross());
        p.begin();
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            double footY = motor ? 0.45 : 0.35 + 0.12 * StrictMath.sin(phase + (sgn > 0 ? 0 : Math.PI));
            part(p, s, l, 0, -0.02, tube(sgn * 0.11, 0.97, sgn * 0.15, footY, 0.13, 0.1), trousers, RIDER, riderInst);
            part(p, s, l, 0, -0.02, tube(sgn * 0.19, 1.45, sgn * 0.3, 1.02, 0.09, 0.07), clothes, RIDER, riderInst);
        }
        part(p, s, l, 0, -0.02, new double[][] {{-0.17, 0.17, 0.21, -0.21}, {0.93, 0.93, 1.48, 1.48}}, clothes, RIDER,
                riderInst);
        part(p, s, l, 0, -0.02, ellipse(0, 1.61, 0.11, 0.125, 14), helmet, RIDER, riderInst);
        p.end(RIDER, riderInst, s, l, pl.intrusion(), pl.onCross());
    }
}
