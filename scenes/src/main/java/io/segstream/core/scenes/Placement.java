package io.segstream.core.scenes;

/**
 * One prop or moving object of the world at a moment: what it is and where it stands. Its looks are drawn
 * from {@code seed}, so the same object looks the same in every frame of a drive.
 *
 * @param kind       what to draw
 * @param s          position along the road (for segments: where it starts)
 * @param l          lateral position (for buildings, fences, walls, hedges: the line they start from)
 * @param yaw        heading of vehicles (0 = away from the camera, pi = towards it, +pi/2 = to the right)
 * @param length     length of segments and trains along the road
 * @param side       the side segments extend to (-1 left, +1 right); facing of side views of people
 * @param param      kind-specific: low buildings, reach of a mast arm, traffic light style
 * @param phase      walking or pedalling phase in radians
 * @param h0         height of the floor it stands on (platforms)
 * @param seed       seed of its looks
 * @param intrusion  index of the scripted or random intrusion it plays, or -1
 * @param instanceId instance id reserved for it (intruders keep theirs over a drive), or 0
 * @param onCross    whether it stands on a crossing street
 */
record Placement(Kind kind, double s, double l, double yaw, double length, int side, double param, double phase,
        double h0, long seed, int intrusion, int instanceId, boolean onCross) {

    /** Everything the world can hold. */
    enum Kind {
        BUILDING, TREE, BUSH, HEDGE, FENCE, WALL, LAMP, SIGN, SIGNAL, MAST, TRAFFIC_LIGHT, CROSSING_SIGN, PLATFORM,
        CAR, TRUCK, BUS, TRAIN, TRAM, PERSON, CYCLIST, MOTORCYCLIST, PARKED_BIKE;

        /** Whether this kind is drawn as instances (people and vehicles). */
        boolean isThing() {
            return ordinal() >= CAR.ordinal();
        }
    }

    static Placement of(Kind kind, double s, double l, long seed) {
        return new Placement(kind, s, l, 0, 0, 0, 0, 0, 0, seed, -1, 0, false);
    }

    Placement yaw(double v) {
        return new Placement(kind, s, l, v, length, side, param, phase, h0, seed, intrusion, instanceId, onCross);
    }

    Placement length(double v) {
        return new Placement(kind, s, l, yaw, v, side, param, phase, h0, seed, intrusion, instanceId, onCross);
    }

    Placement side(int v) {
        return new Placement(kind, s, l, yaw, length, v, param, phase, h0, seed, intrusion, instanceId, onCross);
    }

    Placement param(double v) {
        return new Placement(kind, s, l, yaw, length, side, v, phase, h0, seed, intrusion, instanceId, onCross);
    }

    Placement phase(double v) {
        return new Placement(kind, s, l, yaw, length, side, param, v, h0, seed, intrusion, instanceId, onCross);
    }

    Placement h0(double v) {
        return new Placement(kind, s, l, yaw, length, side, param, phase, v, seed, intrusion, instanceId, onCross);
    }

    Placement intruder(int index, int instance) {
        return new Placement(kind, s, l, yaw, length, side, param, phase, h0, seed, index, instance, onCross);
    }

    Placement onCross(boolean v) {
        return new Placement(kind, s, l, yaw, length, side, param, phase, h0, seed, intrusion, instanceId, v);
    }
}
