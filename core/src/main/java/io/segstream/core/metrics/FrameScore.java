package io.segstream.core.metrics;

/**
 * Scores of a single frame, computed with the official rules on that frame's pixels alone: what the streaming
 * job attaches to a mask when its frame carries ground truth.
 *
 * @param meanIoU         mean class IoU over the classes that the frame scores (NaN when it scores none)
 * @param pixelAccuracy   correct pixels / pixels whose ground truth is not ignored (NaN when there are none)
 * @param evaluatedPixels pixels whose ground truth is not ignored
 */
public record FrameScore(double meanIoU, double pixelAccuracy, long evaluatedPixels) {}
