package io.segstream.core.segment;

import io.segstream.core.imaging.FrameDecoder;
import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.RgbImage;
import io.segstream.core.masks.MaskCodec;
import io.segstream.schemas.MaskEncoding;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures a bare {@link OnnxSegmenter}: decode, segment in batches, encode the mask, frame after frame in one
 * thread, the way one pipeline subtask works. The figures are the baseline that the streaming pipeline's
 * throughput is compared with.
 *
 * <pre>{@code
 * SegmenterBenchmark.Result r = SegmenterBenchmark.run(segmenter, frames, 4, 200, 8, MaskEncoding.PNG_CLASS_IDS);
 * System.out.println(SegmenterBenchmark.table(List.of(r)));
 * }</pre>
 */
public final class SegmenterBenchmark {
    private SegmenterBenchmark() {}

    /**
     * Figures of one run; stage times are means per frame in milliseconds.
     *
     * @param batch          frames per inference call
     * @param frames         frames measured (after warm-up)
     * @param seconds        wall time of the measured frames
     * @param framesPerSecond frames / seconds
     */
    public record Result(int batch, int frames, double seconds, double framesPerSecond, double decodeMs,
            double preMs, double inferMs, double postMs, double encodeMs) {}

    /**
     * Segments {@code count} frames (cycling through {@code frames}) after {@code warmUp} unmeasured ones.
     *
     * @throws ImageFormatException when a frame does not decode
     */
    public static Result run(OnnxSegmenter segmenter, List<EncodedFrame> frames, int batch, int count, int warmUp,
            MaskEncoding maskEncoding) throws ImageFormatException {
        if (frames.isEmpty() || batch < 1 || count < 1) {
            throw new IllegalArgumentException("need frames, a batch of at least 1 and at least 1 frame to measure");
        }
        FrameDecoder decoder = new FrameDecoder();
        double[] sums = new double[5];
        runFrames(segmenter, decoder, frames, batch, warmUp, maskEncoding, new double[5]);
        long t0 = System.nanoTime();
        runFrames(segmenter, decoder, frames, batch, count, maskEncoding, sums);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result(batch, count, seconds, count / seconds, sums[0] / count, sums[1] / count, sums[2] / count,
                sums[3] / count, sums[4] / count);
    }

    private static void runFrames(OnnxSegmenter segmenter, FrameDecoder decoder, List<EncodedFrame> frames,
            int batch, int count, MaskEncoding maskEncoding, double[] sums) throws ImageFormatException {
        int next = 0;
        int done = 0;
        List<RgbImage> images = new ArrayList<>(batch);
        float[] decodeMs = new float[batch];
        while (done < count) {
            images.clear();
            int n = Math.min(batch, count - done);
            for (int i = 0; i < n; i++) {
                EncodedFrame f = frames.get(next++ % frames.size());
                long t = System.nanoTime();
                images.add(decoder.decode(f.encoding(), f.data(), f.width(), f.height(), "benchmark frame " + next));
                decodeMs[i] = (System.nanoTime() - t) / 1e6f;
            }
            List<Segmentation> out = segmenter.segment(images);
            for (int i = 0; i < n; i++) {
                Segmentation s = out.get(i);
                long t = System.nanoTime();
                MaskCodec.encode(s.mask(), maskEncoding);
                sums[0] += decodeMs[i];
                sums[1] += s.timings().preMs();
                sums[2] += s.timings().inferMs();
                sums[3] += s.timings().postMs();
                sums[4] += (System.nanoTime() - t) / 1e6;
            }
            done += n;
        }
    }

    /** The results as an aligned table, one row per run. */
    public static String table(List<Result> results) {
        StringBuilder sb = new StringBuilder(String.format("%5s %7s %9s %9s %9s %9s %9s %9s%n",
                "batch", "frames", "frames/s", "decode", "pre", "infer", "post", "encode"));
        for (Result r : results) {
            sb.append(String.format("%5d %7d %9.1f %9.2f %9.2f %9.2f %9.2f %9.2f%n", r.batch(), r.frames(),
                    r.framesPerSecond(), r.decodeMs(), r.preMs(), r.inferMs(), r.postMs(), r.encodeMs()));
        }
        sb.append("(stage columns: milliseconds per frame)").append(System.lineSeparator());
        return sb.toString();
    }
}
