package io.segstream.core.scenes;

import static io.segstream.core.labels.CityscapesIds.*;

import java.util.SplittableRandom;

/** Draws cars, trucks, buses, trains and trams, each part with the vehicle's label and instance id. */
final class Vehicles {
    private Vehicles() {}

    private static double[] at(Placement pl, double a, double b) {
        double ca = StrictMath.cos(pl.yaw());
        double sa = StrictMath.sin(pl.yaw());
        return new double[] {pl.s() + a * ca - b * sa, pl.l() + a * sa + b * ca};
    }

    private static void wheels(Painter p, Placement pl, double[] axles, double halfTrack, double dia, double width,
            int label, int inst) {
        Material tyre = Material.of(Props.TYRE, 0.1f, 0.2, 7);
        for (double a : axles) {
            for (int side = -1; side <= 1; side += 2) {
                double[] c = at(pl, a, side * halfTrack);
                p.box(c[0], c[1], pl.yaw(), dia, width, 0, dia, tyre, tyre, tyre, tyre, tyre, label, inst);
            }
        }
    }

    static void car(Painter p, Placement pl, SplittableRandom r, int inst) {
        double len = Style.range(r, 3.9, 4.9);
        double wid = Style.range(r, 1.7, 1.95);
        double bottom = 0.28;
        double top = Style.range(r, 0.9, 1.1);
        double roof = top + Style.range(r, 0.42, 0.6);
        double cabin = len * Style.range(r, 0.48, 0.6);
        int colour = Style.vehicleColour(r);
        int glass = Style.hsv(Style.range(r, 195, 225), Style.range(r, 0.1, 0.3), Style.range(r, 30, 90));
        int seed = r.nextInt();
        Material paint = Material.of(colour, 0.04f, 1.0, seed);
        Material rear = Material.patterned(Material.Pattern.VEHICLE_END, colour, 0xC81E1E, 0.04f, 1, seed, wid,
                top - bottom, 0, 0);
        Material front = Material.patterned(Material.Pattern.VEHICLE_END, colour, 0xF0F0DC, 0.04f, 1, seed, wid,
                top - bottom, 0, 0);
        Material glassEnd = Material.patterned(Material.Pattern.FRAMED_GLASS, colour, glass, 0.03f, 1, seed,
                wid * 0.86, roof - top, 0.07, 0);
        Material glassSide = Material.patterned(Material.Pattern.FRAMED_GLASS, colour, glass, 0.03f, 1, seed,
                cabin, roof - top, 0.07, 0);
        wheels(p, pl, new double[] {len / 2 - 0.8, -len / 2 + 0.8}, wid / 2 - 0.12, 0.62, 0.22, CAR, inst);
        p.box(pl.s(), pl.l(), pl.yaw(), len, wid, bottom, top, front, rear, paint, paint, paint, CAR, inst);
        double[] c = at(pl, -0.06 * len, 0);
        p.box(c[0], c[1], pl.yaw(), cabin, wid * 0.86, top, roof, glassEnd, glassEnd, glassSide, glassSide, paint, CAR,
                inst);
    }

    static void truck(Painter p, Placement pl, SplittableRandom r, int inst) {
        double len = Style.range(r, 7.0, 10.0);
        double wid = Style.range(r, 2.45, 2.55);
        double cargoTop = Style.range(r, 3.5, 4.0);
        int cabColour = Style.vehicleColour(r);
        int cargoColour = r.nextBoolean() ? Style.hsv(0, 0, Style.range(r, 200, 240)) : Style.vehicleColour(r);
        int seed = r.nextInt();
        Material cab = Material.of(cabColour, 0.04f, 1.0, seed);
        Material cabFront = Material.patterned(Material.Pattern.TRAIN_FRONT, cabColour, 0xF0F0DC, 0.04f, 1, seed, wid,
                2.5, 0, 0);
        Material cargo = Material.of(cargoColour, 0.06f, 2.0, seed + 1);
        Material chassis = Material.of(Props.DARK, 0.05f, 0.5, seed + 2);
        wheels(p, pl, new double[] {len / 2 - 1.2, -len / 2 + 1.5, -len / 2 + 2.6}, wid / 2 - 0.2, 0.95, 0.35, TRUCK,
                inst);
        double[] chassisCentre = at(pl, 0, 0);
        p.box(chassisCentre[0], chassisCentre[1], pl.yaw(), len - 0.6, wid * 0.8, 0.45, 0.95, chassis, chassis, chassis,
                chassis, chassis, TRUCK, inst);
        double[] cabCentre = at(pl, len / 2 - 1.15, 0);
        p.box(cabCentre[0], cabCentre[1], pl.yaw(), 2.3, wid, 0.5, 3.0, cabFront, cab, cab, cab, cab, TRUCK, inst);
        double cargoLen = len - 2.5;
        double[] cargoCentre = at(pl, -len / 2 + cargoLen / 2, 0);
        p.box(cargoCentre[0], cargoCentre[1], pl.yaw(), cargoLen, wid + 0.05, 0.95, cargoTop, cargo, cargo, cargo, cargo,
                cargo, TRUCK, inst);
    }

    static void bus(Painter p, Placement pl, SplittableRandom r, int inst) {
        double len = r.nextDouble() < 0.2 ? 18 : Style.range(r, 11.0, 13.0);
        double wid = 2.55;
        double top = Style.range(r, 3.0, 3.3);
        int colour = r.nextBoolean() ? Style.vehicleColour(r)
                : Style.hsv(new double[] {0, 45, 210, 120}[r.nextInt(4)], Style.range(r, 0.5, 0.8),
                        Style.range(r, 150, 230));
        int glass = Style.hsv(Style.range(r, 195, 225), Style.range(r, 0.1, 0.3), Style.range(r, 30, 80));
        int seed = r.nextInt();
        double h = top - 0.3;
        Material side = Material.patterned(Material.Pattern.WINDOW_BAND, colour, glass, 0.04f, 1, seed, 1.5, 0.15,
                0.95, h - 0.35);
        Material front = Material.patterned(Material.Pattern.TRAIN_FRONT, colour, 0xF0F0DC, 0.04f, 1, seed, wid, h, 0, 0);
        Material back = Material.patterned(Material.Pattern.WINDOW_BAND, colour, glass, 0.04f, 1, seed, wid, 0.2,
                h * 0.55, h - 0.3);
        Material roof = Material.of(Style.scale(colour, 0.9), 0.04f, 1, seed);
        wheels(p, pl, new double[] {len / 2 - 2.5, -len / 2 + 3.0}, wid / 2 - 0.2, 0.95, 0.3, BUS, inst);
        p.box(pl.s(), pl.l(), pl.yaw(), len, wid, 0.3, top, front, back, side, side, roof, BUS, inst);
    }

    static void train(Painter p, Placement pl, SplittableRandom r, int inst, boolean tram) {
        double carLen = tram ? Style.range(r, 10.0, 15.0) : Style.range(r, 20.0, 26.0);
        double wid = tram ? Style.range(r, 2.4, 2.65) : Style.range(r, 2.9, 3.1);
        double bottom = tram ? 0.35 : 0.9;
        double top = tram ? 3.4 : Style.range(r, 3.9, 4.2);
        double gap = 1.0;
        int cars = Math.max(1, (int) Math.round((pl.length() + gap) / (carLen + gap)));
        double total = cars * carLen + (cars - 1) * gap;
        int colour = Style.vehicleColour(r);
        int glass = Style.hsv(Style.range(r, 195, 225), Style.range(r, 0.1, 0.3), Style.range(r, 30, 80));
        int seed = r.nextInt();
        double h = top - bottom;
        Material side = Material.patterned(Material.Pattern.WINDOW_BAND, colour, glass, 0.05f, 1.5, seed,
                Style.range(r, 2.0, 2.6), Style.range(r, 0.4, 0.9), h * 0.35, h * 0.65);
        Material end = Material.patterned(Material.Pattern.TRAIN_FRONT, colour, 0xF0F0DC, 0.05f, 1, seed, wid, h, 0, 0);
        Material plain = Material.of(colour, 0.05f, 1.5, seed);
        Material dark = Material.of(Props.DARK, 0.08f, 0.5, seed + 1);
        for (int k = 0; k < cars; k++) {
            double a = total / 2 - carLen / 2 - k * (carLen + gap);
            double[] c = at(pl, a, 0);
            Material frontFace = k == 0 ? end : plain;
            Material backFace = k == cars - 1 ? end : plain;
            p.box(c[0], c[1], pl.yaw(), carLen, wid, bottom, top, frontFace, backFace, side, side, plain, TRAIN, inst);
            if (!tram) {
                for (int b = -1; b <= 1; b += 2) {
                    double[] bc = at(pl, a + b * (carLen / 2 - 3.0), 0);
                    p.box(bc[0], bc[1], pl.yaw(), 3.0, wid * 0.8, 0.15, bottom, dark, dark, dark, dark, null, TRAIN, inst);
                }
            } else {
                double[] bc = at(pl, a, 0);
                p.box(bc[0], bc[1], pl.yaw(), carLen * 0.8, wid * 0.85, 0.1, bottom, dark, dark, dark, dark, null, TRAIN,
                        inst);
            }
            if (k + 1 < cars) {
                double[] gc = at(pl, a - carLen / 2 - gap / 2, 0);
                p.box(gc[0], gc[1], pl.yaw(), gap + 0.1, wid * 0.75, bottom + 0.1, top - 0.3, dark, dark, dark, dark, dark,
                        TRAIN, inst);
            }
        }
    }
}
