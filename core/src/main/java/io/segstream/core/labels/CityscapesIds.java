package io.segstream.core.labels;

/**
 * Official Cityscapes label ids ({@code cityscapes-34}), for code that paints or tests with fixed classes.
 * Label sets stay data (JSON resources); these constants name the same ids once, and a test checks them
 * against {@code cityscapes-34.json}.
 *
 * <pre>{@code
 * canvas.fill(region, material, CityscapesIds.RAIL_TRACK);
 * }</pre>
 */
public final class CityscapesIds {
    public static final int UNLABELED = 0;
    public static final int EGO_VEHICLE = 1;
    public static final int RECTIFICATION_BORDER = 2;
    public static final int OUT_OF_ROI = 3;
    public static final int STATIC = 4;
    public static final int DYNAMIC = 5;
    public static final int GROUND = 6;
    public static final int ROAD = 7;
    public static final int SIDEWALK = 8;
    public static final int PARKING = 9;
    public static final int RAIL_TRACK = 10;
    public static final int BUILDING = 11;
    public static final int WALL = 12;
    public static final int FENCE = 13;
    public static final int GUARD_RAIL = 14;
    public static final int BRIDGE = 15;
    public static final int TUNNEL = 16;
    public static final int POLE = 17;
    public static final int POLEGROUP = 18;
    public static final int TRAFFIC_LIGHT = 19;
    public static final int TRAFFIC_SIGN = 20;
    public static final int VEGETATION = 21;
    public static final int TERRAIN = 22;
    public static final int SKY = 23;
    public static final int PERSON = 24;
    public static final int RIDER = 25;
    public static final int CAR = 26;
    public static final int TRUCK = 27;
    public static final int BUS = 28;
    public static final int CARAVAN = 29;
    public static final int TRAILER = 30;
    public static final int TRAIN = 31;
    public static final int MOTORCYCLE = 32;
    public static final int BICYCLE = 33;

    private CityscapesIds() {}
}
