package io.segstream.edge.agent;

import io.segstream.core.alerts.AlertEngine;
import io.segstream.core.alerts.AlertRules;
import io.segstream.core.alerts.AlertRulesException;
import io.segstream.core.frames.FrameSegmenter;
import io.segstream.core.model.BootstrapModel;
import io.segstream.core.model.ModelException;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.edge.spool.DiskSpool;
import io.segstream.edge.spool.RecordKind;
import io.segstream.edge.spool.SpoolOptions;
import io.segstream.edge.spool.SpoolRecord;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import io.segstream.schemas.MaskEncoding;
import io.segstream.schemas.RecordDecodeException;
import io.segstream.schemas.SegmentationMask;
import io.segstream.schemas.StageTimings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The agent's per-frame work measured on this machine, without Kafka or cameras: JPEG frames through the pipeline the
 * agent runs (decode, pre-processing, the model, fractions and PNG mask, alert rules, Avro, spool) after two warm-up
 * frames. The stages come from the timings each mask records; the rest of a frame's time is the rules, Avro and the
 * spool.
 *
 * <pre>{@code
 * EdgeBenchmark.Result r = EdgeBenchmark.run(jpegs, 1024, 512, null, SegmenterOptions.defaults(), workDir);
 * }</pre>
 */
public final class EdgeBenchmark {
    /** Frames run before the clock starts (ONNX Runtime's first runs allocate and optimise). */
    public static final int WARM_UP = 2;

    private EdgeBenchmark() {}

    /**
     * What one run measured.
     *
     * @param model         {@code name:version} of the model
     * @param provider      the execution provider it ran on
     * @param frames        frames timed (after the warm-up)
     * @param framesPerSecond frames per second through the whole pipeline
     * @param totalMs       mean milliseconds per frame
     * @param decodeMs      JPEG decode and resize
     * @param preMs         pre-processing (normalise, layout)
     * @param inferMs       the model
     * @param postMs        class and zone fractions, PNG mask
     * @param restMs        the alert rules, Avro encoding and the spool (what the stages do not cover)
     */
    public record Result(String model, String provider, int frames, double framesPerSecond, double totalMs,
            double decodeMs, double preMs, double inferMs, double postMs, double restMs) {}

    /**
     * Runs {@code jpegs} (the first {@value #WARM_UP} as warm-up) of {@code width}x{@code height} through the pipeline
     * with the model in {@code modelDir} (null: the bundled model) and the built-in railway rules; the spool and the
     * bundled model go under {@code workDir}.
     *
     * @throws IllegalArgumentException when there are not more frames than the warm-up
     */
    public static Result run(List<byte[]> jpegs, int width, int height, Path modelDir, SegmenterOptions segmenter,
            Path workDir) throws IOException, ModelException, AlertRulesException {
        if (jpegs.size() <= WARM_UP) {
            throw new IllegalArgumentException("the benchmark needs more than " + WARM_UP + " frames (the warm-up), got "
                    + jpegs.size() + "; use e.g. --frames 40");
        }
        AlertRules rules = AlertRules.builtIn("railway");
        Path model = modelDir != null ? modelDir : BootstrapModel.extractBundled(workDir.resolve("model")).dir();
        try (OnnxSegmenter onnx = OnnxSegmenter.open(model, segmenter);
                DiskSpool spool = DiskSpool.open(workDir.resolve("spool"), SpoolOptions.of(1L << 30))) {
            EdgePipeline pipeline = new EdgePipeline(new FrameSegmenter(onnx, rules, MaskEncoding.PNG_CLASS_IDS),
                    new AlertEngine(rules), spool, CameraSequences.open(workDir), FramesPolicy.NONE,
                    new EdgeCounters());
            long t0 = 0;
            for (int i = 0; i < jpegs.size(); i++) {
                if (i == WARM_UP) {
                    t0 = System.nanoTime();
                }
                Instant now = Instant.now();
                pipeline.send(CameraFrame.newBuilder().setCameraId("bench").setSeq(i).setCaptureTime(now)
                        .setIngestTime(now).setWidth(width).setHeight(height).setEncoding(ImageEncoding.JPEG)
                        .setData(ByteBuffer.wrap(jpegs.get(i))).setAttributes(Map.of()).build(), (f, e) -> { });
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            pipeline.close();
            AvroCodec<SegmentationMask> codec = AvroCodec.of(SegmentationMask.class);
            List<SpoolRecord> masks = spool.next(RecordKind.MASK, jpegs.size());
            int timed = jpegs.size() - WARM_UP;
            if (masks.size() != jpegs.size()) {
                throw new IOException((jpegs.size() - masks.size()) + " of " + jpegs.size() + " benchmark frames gave "
                        + "no mask; the log names the stage that failed");
            }
            double decode = 0;
            double pre = 0;
            double infer = 0;
            double post = 0;
            for (SpoolRecord r : masks.subList(WARM_UP, masks.size())) {
                StageTimings t;
                try {
                    t = codec.decode(r.value()).getTimings();
                } catch (RecordDecodeException e) {
                    throw new IOException("a mask the benchmark spooled does not decode", e);
                }
                decode += t.getDecodeMs();
                pre += t.getPreMs();
                infer += t.getInferMs();
                post += t.getPostMs();
            }
            double total = seconds * 1000 / timed;
            return new Result(onnx.manifest().id(), onnx.provider().name(), timed, timed / seconds, total,
                    decode / timed, pre / timed, infer / timed, post / timed,
                    Math.max(0, total - (decode + pre + infer + post) / timed));
        }
    }
}
