package io.segstream.core.alerts;

import io.segstream.core.labels.LabelSet;
import io.segstream.core.masks.ClassHistogram;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The pixels of a frame of one size whose centres lie inside a zone polygon, stored as horizontal runs.
 *
 * <p>Pixel (x, y) has its centre at ((x + 0.5) / width, (y + 0.5) / height) and belongs to the zone when
 * {@link Polygon#contains} says so for that centre. Use {@link ZoneMasks} to rasterise once per frame size.
 *
 * <pre>{@code
 * ZoneMask zone = ZoneMask.rasterise(corridor, 640, 360);
 * Map<String, Float> fractions = zone.classFractions(classIds, LabelSet.named("rail-20"));
 * }</pre>
 */
public final class ZoneMask {
    private static final int[] NO_RUNS = new int[0];

    private final int width;
    private final int height;
    /** Per row: start, end (exclusive), start, end, ... of the runs inside the zone. */
    private final int[][] rowRuns;
    private final int pixelCount;

    private ZoneMask(int width, int height, int[][] rowRuns) {
        this.width = width;
        this.height = height;
        this.rowRuns = rowRuns;
        int count = 0;
        for (int[] runs : rowRuns) {
            for (int i = 0; i < runs.length; i += 2) {
                count += runs[i + 1] - runs[i];
            }
        }
        this.pixelCount = count;
    }

    /** The pixels of a {@code width} x {@code height} frame whose centres lie inside {@code polygon}. */
    public static ZoneMask rasterise(Polygon polygon, int width, int height) {
        checkSize(width, height);
        int[][] rowRuns = new int[height][];
        for (int y = 0; y < height; y++) {
            double[] crossings = polygon.crossings((y + 0.5) / height);
            int[] runs = new int[crossings.length];
            int n = 0;
            for (int i = 0; i + 1 < crossings.length; i += 2) {
                // centre (x + 0.5) / width in [a, b)  <=>  x >= ceil(a * width - 0.5) and x < ceil(b * width - 0.5)
                int from = Math.max(0, (int) Math.ceil(crossings[i] * width - 0.5));
                int to = Math.min(width, (int) Math.ceil(crossings[i + 1] * width - 0.5));
                if (to > from) {
                    runs[n++] = from;
                    runs[n++] = to;
                }
            }
            rowRuns[y] = n == 0 ? NO_RUNS : Arrays.copyOf(runs, n);
        }
        return new ZoneMask(width, height, rowRuns);
    }

    /** Every pixel of a {@code width} x {@code height} frame. */
    public static ZoneMask fullFrame(int width, int height) {
        checkSize(width, height);
        int[][] rowRuns = new int[height][];
        Arrays.fill(rowRuns, new int[] {0, width});
        return new ZoneMask(width, height, rowRuns);
    }

    private static void checkSize(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("frame size " + width + "x" + height + " must be positive");
        }
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Number of pixels inside the zone. */
    public int pixelCount() {
        return pixelCount;
    }

    /** Whether pixel (x, y) is inside the zone. */
    public boolean contains(int x, int y) {
        if (x < 0 || y < 0 || x >= width || y >= height) {
            return false;
        }
        int[] runs = rowRuns[y];
        for (int i = 0; i < runs.length; i += 2) {
            if (x >= runs[i] && x < runs[i + 1]) {
                return true;
            }
        }
        return false;
    }

    /** Pixel counts inside the zone per class id 0..255 of a class-id mask (one unsigned byte a pixel). */
    public int[] classCounts(byte[] classIds) {
        checkMask(classIds);
        int[] counts = new int[256];
        for (int y = 0; y < height; y++) {
            int row = y * width;
            int[] runs = rowRuns[y];
            for (int i = 0; i < runs.length; i += 2) {
                ClassHistogram.add(classIds, row + runs[i], row + runs[i + 1], counts);
            }
        }
        return counts;
    }

    /**
     * Fraction of the zone's pixels per class name, for the classes present. Pixels of ignored or undefined
     * class ids count in the zone's size but under no name. An empty zone gives an empty map.
     */
    public Map<String, Float> classFractions(byte[] classIds, LabelSet labelSet) {
        int[] counts = classCounts(classIds);
        Map<String, Float> fractions = new LinkedHashMap<>();
        if (pixelCount == 0) {
            return fractions;
        }
        for (int c = 0; c < labelSet.numClasses(); c++) {
            if (counts[c] > 0) {
                fractions.put(labelSet.classLabel(c).name(), (float) counts[c] / pixelCount);
            }
        }
        return fractions;
    }

    /**
     * The box around the zone's pixels whose class id is selected, in normalised coordinates of pixel
     * edges (a single pixel (x, y) gives x/w, y/h, (x+1)/w, (y+1)/h); null when there is none.
     *
     * @param selected indexed by class id 0..255
     */
    public NormalisedBox boundingBox(byte[] classIds, boolean[] selected) {
        checkMask(classIds);
        int minX = Integer.MAX_VALUE;
        int minY = Integer.MAX_VALUE;
        int maxX = -1;
        int maxY = -1;
        for (int y = 0; y < height; y++) {
            int row = y * width;
            int[] runs = rowRuns[y];
            for (int i = 0; i < runs.length; i += 2) {
                for (int x = runs[i]; x < runs[i + 1]; x++) {
                    if (selected[classIds[row + x] & 0xFF]) {
                        minX = Math.min(minX, x);
                        maxX = Math.max(maxX, x);
                        minY = Math.min(minY, y);
                        maxY = y;
                    }
                }
            }
        }
        if (maxX < 0) {
            return null;
        }
        return new NormalisedBox((float) minX / width, (float) minY / height,
                (float) (maxX + 1) / width, (float) (maxY + 1) / height);
    }

    private void checkMask(byte[] classIds) {
        if (classIds.length != width * height) {
            throw new IllegalArgumentException("class-id mask has " + classIds.length + " pixels but the zone was "
                    + "rasterised for " + width + "x" + height + " = " + (width * height)
                    + "; rasterise the zone for the mask's size");
        }
    }
}
