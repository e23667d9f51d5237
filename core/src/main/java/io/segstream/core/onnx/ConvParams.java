package io.segstream.core.onnx;

import java.util.Arrays;

/**
 * Strides, pads, dilations and group count of a 2-D convolution or pooling window, as ONNX spells them.
 *
 * <p>Pads follow ONNX order: top, left, bottom, right. Instances are immutable; the {@code with*} methods
 * return changed copies.
 *
 * <pre>{@code
 * ConvParams same3x3 = ConvParams.of(1, 1);              // stride 1, pad 1 on every side
 * ConvParams depthwise = ConvParams.of(2, 1).withGroup(32);
 * }</pre>
 */
public final class ConvParams {
    private final long[] strides;
    private final long[] pads;
    private final long[] dilations;
    private final long group;

    private ConvParams(long[] strides, long[] pads, long[] dilations, long group) {
        this.strides = strides;
        this.pads = pads;
        this.dilations = dilations;
        this.group = group;
        for (long s : strides) {
            require(s >= 1, "strides must be at least 1, got " + Arrays.toString(strides));
        }
        for (long p : pads) {
            require(p >= 0, "pads must not be negative, got " + Arrays.toString(pads));
        }
        for (long d : dilations) {
            require(d >= 1, "dilations must be at least 1, got " + Arrays.toString(dilations));
        }
        require(group >= 1, "group must be at least 1, got " + group);
    }

    /** Same stride on both axes and the same pad on every side, no dilation, one group. */
    public static ConvParams of(int stride, int pad) {
        return new ConvParams(new long[] {stride, stride}, new long[] {pad, pad, pad, pad}, new long[] {1, 1}, 1);
    }

    /** Stride 1, no padding. */
    public static ConvParams valid() {
        return of(1, 0);
    }

    /** Stride 1 with the padding that keeps the size for an odd kernel of side {@code kernel}. */
    public static ConvParams same(int kernel) {
        if (kernel % 2 == 0) {
            throw new IllegalArgumentException("same padding needs an odd kernel size, got " + kernel);
        }
        return of(1, kernel / 2);
    }

    public ConvParams withStrides(int strideH, int strideW) {
        return new ConvParams(new long[] {strideH, strideW}, pads, dilations, group);
    }

    public ConvParams withPads(int top, int left, int bottom, int right) {
        return new ConvParams(strides, new long[] {top, left, bottom, right}, dilations, group);
    }

    public ConvParams withDilation(int dilation) {
        return new ConvParams(strides, pads, new long[] {dilation, dilation}, group);
    }

    public ConvParams withGroup(int groups) {
        return new ConvParams(strides, pads, dilations, groups);
    }

    long[] strides() {
        return strides.clone();
    }

    long[] pads() {
        return pads.clone();
    }

    long[] dilations() {
        return dilations.clone();
    }

    long group() {
        return group;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    @Override
    public String toString() {
        return "strides=" + Arrays.toString(strides) + " pads=" + Arrays.toString(pads)
                + " dilations=" + Arrays.toString(dilations) + " group=" + group;
    }
}
