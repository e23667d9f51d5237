package io.segstream.core.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.labels.LabelSet;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ZoneMaskTest {
    private static final LabelSet RAIL = LabelSet.named("rail-20");

    /** Pixel centres of a 4x4 grid are at 0.125, 0.375, 0.625, 0.875 on both axes. */
    @Test
    void rectangleCoversTheFourMiddlePixelsOfAFourByFourGrid() {
        ZoneMask mask = ZoneMask.rasterise(Polygon.of(0.25, 0.25, 0.75, 0.25, 0.75, 0.75, 0.25, 0.75), 4, 4);
        assertEquals(4, mask.pixelCount());
        assertEquals("""
                ....
                .##.
                .##.
                ....
                """, picture(mask));
    }

    /**
     * Triangle (0,0), (1,0), (0,1): a centre is inside when cx + cy < 1, i.e. x + y < 3 on a 4x4 grid
     * (3 + 2 + 1 pixels). Centres with x + y = 3 lie on the hypotenuse, a right-hand edge, so they are out.
     */
    @Test
    void triangleFollowsTheHalfOpenEdgeRule() {
        ZoneMask mask = ZoneMask.rasterise(Polygon.of(0, 0, 1, 0, 0, 1), 4, 4);
        assertEquals(6, mask.pixelCount());
        assertEquals("""
                ###.
                ##..
                #...
                ....
                """, picture(mask));
    }

    /** A 5x2 grid: centres at x = 0.1, 0.3, 0.5, 0.7, 0.9; [0.3, 0.7) takes x = 1, 2 but not 3 (right edge). */
    @Test
    void leftEdgeIsInsideAndRightEdgeIsOutside() {
        ZoneMask mask = ZoneMask.rasterise(Polygon.of(0.3, 0, 0.7, 0, 0.7, 1, 0.3, 1), 5, 2);
        assertEquals("""
                .##..
                .##..
                """, picture(mask));
    }

    @Test
    void rasterisationAgreesWithPointInPolygonAtEveryPixelCentre() {
        Random random = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            int n = 3 + random.nextInt(6);
            double[] xy = new double[2 * n];
            for (int i = 0; i < xy.length; i++) {
                xy[i] = random.nextDouble();
            }
            Polygon polygon = Polygon.of(xy);
            ZoneMask mask = ZoneMask.rasterise(polygon, 37, 23);
            int count = 0;
            for (int y = 0; y < 23; y++) {
                for (int x = 0; x < 37; x++) {
                    boolean inside = polygon.contains((x + 0.5) / 37, (y + 0.5) / 23);
                    assertEquals(inside, mask.contains(x, y), "trial " + trial + " pixel " + x + "," + y);
                    count += inside ? 1 : 0;
                }
            }
            assertEquals(count, mask.pixelCount());
        }
    }

    @Test
    void classFractionsAreFractionsOfTheZonesPixels() {
        int person = RAIL.classNames().indexOf("person");
        int track = RAIL.classNames().indexOf("rail track");
        byte[] classIds = new byte[16];
        classIds[5] = (byte) person;        // (1,1): inside the middle square
        classIds[6] = (byte) track;         // (2,1): inside
        classIds[9] = (byte) track;         // (1,2): inside
        classIds[10] = (byte) LabelSet.IGNORE; // (2,2): inside, ignored: counts in the zone's size only
        classIds[0] = (byte) person;        // (0,0): outside
        ZoneMask mask = ZoneMask.rasterise(Polygon.of(0.25, 0.25, 0.75, 0.25, 0.75, 0.75, 0.25, 0.75), 4, 4);
        Map<String, Float> fractions = mask.classFractions(classIds, RAIL);
        assertEquals(Map.of("person", 0.25f, "rail track", 0.5f), fractions);
    }

    @Test
    void boundingBoxSpansTheSelectedPixelsInsideTheZoneInPixelEdges() {
        int car = RAIL.classNames().indexOf("car");
        byte[] classIds = new byte[16];
        classIds[0] = (byte) car;   // (0,0) inside the triangle
        classIds[15] = (byte) car;  // (3,3) outside the triangle
        classIds[5] = (byte) car;   // (1,1) inside
        classIds[8] = (byte) car;   // (0,2) inside
        classIds[9] = (byte) car;   // (1,2) on the hypotenuse: outside
        boolean[] selected = new boolean[256];
        selected[car] = true;
        ZoneMask triangle = ZoneMask.rasterise(Polygon.of(0, 0, 1, 0, 0, 1), 4, 4);
        assertEquals(new NormalisedBox(0f, 0f, 0.5f, 0.75f), triangle.boundingBox(classIds, selected));
        assertNull(triangle.boundingBox(new byte[16], selected));
    }

    @Test
    void fullFrameHoldsEveryPixel() {
        ZoneMask mask = ZoneMask.fullFrame(3, 2);
        assertEquals(6, mask.pixelCount());
        assertTrue(mask.contains(2, 1));
        assertFalse(mask.contains(3, 1));
    }

    @Test
    void cacheRasterisesOncePerPolygonAndSize() {
        ZoneMasks masks = new ZoneMasks();
        Polygon a = Polygon.of(0, 0, 1, 0, 0, 1);
        Polygon sameAsA = Polygon.of(0, 0, 1, 0, 0, 1);
        assertSame(masks.mask(a, 8, 8), masks.mask(sameAsA, 8, 8));
        masks.mask(a, 16, 8);
        assertEquals(2, masks.size());
    }

    @Test
    void zoneClassFractionsCoverEveryZoneOfTheCamera() {
        byte[] classIds = new byte[16];
        Arrays.fill(classIds, (byte) RAIL.classNames().indexOf("vegetation"));
        Map<String, Map<String, Float>> perZone = new ZoneMasks().zoneClassFractions(
                Map.of("all", Polygon.fullFrame()), classIds, 4, 4, RAIL);
        assertEquals(Map.of("all", Map.of("vegetation", 1.0f)), perZone);
    }

    @Test
    void maskOfAnotherSizeIsRefusedWithBothSizes() {
        ZoneMask mask = ZoneMask.fullFrame(4, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> mask.classCounts(new byte[12]));
        assertEquals("class-id mask has 12 pixels but the zone was rasterised for 4x4 = 16; rasterise the zone"
                + " for the mask's size", e.getMessage());
    }

    @Test
    void polygonsAreChecked() {
        assertEquals("polygon has 2 points; give at least 3 [x, y] points",
                assertThrows(IllegalArgumentException.class, () -> Polygon.of(0, 0, 1, 1)).getMessage());
        assertEquals("polygon point 2 [1.5, 0.0] is outside 0..1; coordinates are fractions of the image width"
                + " and height", assertThrows(IllegalArgumentException.class,
                        () -> Polygon.of(0, 0, 1.5, 0, 0, 1)).getMessage());
        assertEquals("polygon [[0.0, 0.0], [0.5, 0.5], [1.0, 1.0]] has no area (its points lie on one line)",
                assertThrows(IllegalArgumentException.class, () -> Polygon.of(0, 0, 0.5, 0.5, 1, 1)).getMessage());
    }

    private static String picture(ZoneMask mask) {
        StringBuilder s = new StringBuilder();
        for (int y = 0; y < mask.height(); y++) {
            for (int x = 0; x < mask.width(); x++) {
                s.append(mask.contains(x, y) ? '#' : '.');
            }
            s.append('\n');
        }
        return s.toString();
    }
}
