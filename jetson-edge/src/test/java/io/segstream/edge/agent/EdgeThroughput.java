package io.segstream.edge.agent;

import io.segstream.core.alerts.AlertEngine;
import io.segstream.core.alerts.AlertRules;
import io.segstream.core.frames.FrameSegmenter;
import io.segstream.core.model.BootstrapModel;
import io.segstream.core.scenes.DriveGenerator;
import io.segstream.core.scenes.SceneKind;
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
import io.segstream.schemas.SegmentationMask;
import io.segstream.schemas.StageTimings;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Frames per second and milliseconds per stage of the agent's per-frame work on this machine (a measurement, not a
 * test): {@code EdgeThroughput [FRAMES [WIDTHxHEIGHT]]} renders a railway drive as JPEG frames, then sends them through
 * the pipeline (decode, segment with the bundled model on the CPU, railway rules, mask encoding, spool) after two
 * warm-up frames. Prints frames/s and the mean of each stage the masks record, plus the spool's share.
 */
public final class EdgeThroughput {
    private EdgeThroughput() {}

    public static void main(String[] args) throws Exception {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        String[] size = (args.length > 1 ? args[1] : "1024x512").split("x");
        int width = Integer.parseInt(size[0]);
        int height = Integer.parseInt(size[1]);
        DriveGenerator drive = DriveGenerator.builder().setSize(width, height).setFrames(frames + 2)
                .optKind(SceneKind.RAIL).optSeed(7).build();
        List<byte[]> jpegs = new ArrayList<>();
        for (int i = 0; i < frames + 2; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(drive.render(i).toImage(), "jpeg", out);
            jpegs.add(out.toByteArray());
        }
        Path dir = Files.createTempDirectory("edge-throughput");
        AlertRules rules = AlertRules.builtIn("railway");
        try (OnnxSegmenter model = OnnxSegmenter.open(BootstrapModel.extractBundled(dir.resolve("model")).dir(),
                SegmenterOptions.defaults());
                DiskSpool spool = DiskSpool.open(dir.resolve("spool"), SpoolOptions.of(1L << 30))) {
            EdgePipeline pipeline = new EdgePipeline(new FrameSegmenter(model, rules, MaskEncoding.PNG_CLASS_IDS),
                    new AlertEngine(rules), spool, CameraSequences.open(dir), FramesPolicy.NONE, new EdgeCounters());
            long t0 = 0;
            for (int i = 0; i < frames + 2; i++) {
                if (i == 2) {
                    t0 = System.nanoTime();
                }
                Instant now = Instant.now();
                pipeline.send(CameraFrame.newBuilder().setCameraId("cam-1").setSeq(i).setCaptureTime(now)
                        .setIngestTime(now).setWidth(width).setHeight(height).setEncoding(ImageEncoding.JPEG)
                        .setData(ByteBuffer.wrap(jpegs.get(i))).setAttributes(Map.of()).build(), (f, e) -> { });
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            pipeline.close();
            AvroCodec<SegmentationMask> codec = AvroCodec.of(SegmentationMask.class);
            double decode = 0;
            double pre = 0;
            double infer = 0;
            double post = 0;
            List<SpoolRecord> masks = spool.next(RecordKind.MASK, frames + 2);
            for (SpoolRecord r : masks.subList(2, masks.size())) {
                StageTimings t = codec.decode(r.value()).getTimings();
                decode += t.getDecodeMs();
                pre += t.getPreMs();
                infer += t.getInferMs();
                post += t.getPostMs();
            }
            int n = masks.size() - 2;
            double total = seconds * 1000 / frames;
            System.out.printf(Locale.ROOT, "%dx%d, %d frames, %s on %s: %.2f frames/s, %.1f ms per frame%n", width,
                    height, frames, model.manifest().id(), model.provider(), frames / seconds, total);
            System.out.printf(Locale.ROOT, "per frame: decode %.1f ms, pre %.1f ms, infer %.1f ms, post (fractions, "
                    + "PNG mask) %.1f ms, rules + Avro + spool %.1f ms%n", decode / n, pre / n, infer / n, post / n,
                    total - (decode + pre + infer + post) / n);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
