package io.segstream.inference.bench;

import io.segstream.core.imaging.FrameDecoder;
import io.segstream.core.imaging.GreyPngEncoder;
import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import io.segstream.core.imaging.RgbImage;
import io.segstream.core.masks.ClassMask;
import io.segstream.core.masks.MaskCodec;
import io.segstream.core.metrics.Median;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.segment.FramePreprocessor;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.Segmentation;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.schemas.AvroBytes;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.Deflater;

/**
 * Measures each per-frame lever against what it replaces, on the same frames and in interleaved rounds (the order of
 * the variants rotating from round to round), so that a machine whose load changes during the run favours neither:
 * the argmax (in Java after the whole graph, in the graph, or in Java fused with the model's final upsampling, the
 * segmenter at batch 1 and one ONNX Runtime thread: pre + infer + post), and the mask encodings (ImageIO's PNG writer,
 * {@link GreyPngEncoder} at several filters and levels, run-length code), each with its size. The frames' decode
 * alone is timed too, as the yardstick of the per-frame work around the network.
 *
 * <p>Every variant runs on the measuring thread alone (ONNX Runtime with one intra-op thread runs on the caller), so
 * besides wall time the table gives the thread's CPU time, which other load on a shared machine inflates far less.
 *
 * <pre>{@code
 * LeverBenchmark.Report r = LeverBenchmark.run(modelDir, frames, 5, System.err::println);
 * System.out.print(r.table());
 * }</pre>
 */
public final class LeverBenchmark {
    private LeverBenchmark() {}

    /**
     * One variant of one lever.
     *
     * @param lever   what is varied
     * @param name    the variant
     * @param msRounds    wall ms per frame of each round
     * @param cpuMsRounds CPU ms of the measuring thread per frame of each round
     * @param bytes       mean output size per frame (mask encodings only; 0 otherwise)
     */
    public record Variant(String lever, String name, List<Double> msRounds, List<Double> cpuMsRounds, double bytes) {
        public Variant {
            msRounds = List.copyOf(msRounds);
            cpuMsRounds = List.copyOf(cpuMsRounds);
        }

        /** The median round's wall ms per frame. */
        public double ms() {
            return Median.of(msRounds);
        }

        /** The median round's CPU ms per frame. */
        public double cpuMs() {
            return Median.of(cpuMsRounds);
        }
    }

    /** Every variant, grouped by lever in the order measured. */
    public record Report(List<Variant> variants) {
        /** An aligned table: lever, variant, median wall and CPU ms per frame with the CPU spread, size. */
        public String table() {
            StringBuilder sb = new StringBuilder(String.format("%-14s %-50s %9s %9s %17s %9s%n", "lever", "variant",
                    "wall ms", "CPU ms", "CPU min-max", "bytes"));
            for (Variant v : variants) {
                double min = v.cpuMsRounds().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
                double max = v.cpuMsRounds().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
                sb.append(String.format("%-14s %-50s %9.2f %9.2f %8.2f-%-8.2f %9s%n", v.lever(), v.name(), v.ms(),
                        v.cpuMs(), min, max, v.bytes() > 0 ? String.format("%.0f", v.bytes()) : "-"));
            }
            sb.append("(per frame; median round; CPU = the measuring thread's CPU time)").append(System.lineSeparator());
            return sb.toString();
        }

        /** Every figure, for {@code bench --json}. */
        public List<Map<String, Object>> toList() {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Variant v : variants) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("lever", v.lever());
                m.put("variant", v.name());
                m.put("ms_per_frame_median", v.ms());
                m.put("ms_per_frame_rounds", v.msRounds());
                m.put("cpu_ms_per_frame_median", v.cpuMs());
                m.put("cpu_ms_per_frame_rounds", v.cpuMsRounds());
                if (v.bytes() > 0) {
                    m.put("bytes_per_frame", v.bytes());
                }
                out.add(m);
            }
            return out;
        }
    }

    /** A variant as a timed pass over all frames; returns the summed output size (0 when not a size). */
    private interface Pass {
        long run() throws Exception;
    }

    /**
     * Measures every lever on {@code frames} (JPEG or PNG camera frames of one size).
     *
     * @param rounds timed rounds of each variant, after one warm-up round
     */
    public static Report run(Path modelDir, List<CameraFrame> frames, int rounds, Consumer<String> progress)
            throws Exception {
        List<Variant> out = new ArrayList<>();
        List<byte[]> data = new ArrayList<>();
        for (CameraFrame f : frames) {
            data.add(AvroBytes.toArray(f.getData()));
        }
        CameraFrame first = frames.get(0);
        FrameDecoder decoder = new FrameDecoder();
        progress.accept("lever: decoding, ImageIO to RGB or FFmpeg to YCbCr planes, and the preprocessing ...");
        FramePreprocessor pre = new FramePreprocessor(ModelManifest.read(modelDir.resolve("model.json")));
        FloatBuffer input = FloatBuffer.allocate(pre.floatsPerImage());
        Map<String, Pass> decode = new LinkedHashMap<>();
        decode.put(first.getEncoding() + " with ImageIO", () -> decodeAll(decoder, first, data, null, null));
        decode.put(first.getEncoding() + " with ImageIO, + preprocessing",
                () -> decodeAll(decoder, first, data, pre, input));
        try (FrameDecoder ffmpeg = FrameDecoder.open(FrameDecoder.DEFAULT_MAX_PIXELS, FrameDecoder.AUTO)) {
            if (ffmpeg.jpegDecoderName().equals("ImageIO") || first.getEncoding() != ImageEncoding.JPEG) {
                progress.accept("(no native JPEG decoder on the class path, or not JPEG frames: ImageIO alone)");
            } else {
                decode.put(first.getEncoding() + " with " + ffmpeg.jpegDecoderName() + " to planes",
                        () -> decodeAll(ffmpeg, first, data, null, null));
                decode.put(first.getEncoding() + " with " + ffmpeg.jpegDecoderName() + ", + preprocessing from the"
                        + " planes", () -> decodeAll(ffmpeg, first, data, pre, input));
            }
            out.addAll(interleaved("decode", decode, frames.size(), rounds, false));
        }

        List<RgbImage> images = new ArrayList<>();
        for (byte[] d : data) {
            images.add(decoder.decode(first.getEncoding(), d, first.getWidth(), first.getHeight(), "lever frame"));
        }
        progress.accept("lever: argmax in Java, in the graph, or fused with the upsampling (batch 1) ...");
        List<ClassMask> masks = new ArrayList<>();
        try (OnnxSegmenter java = OnnxSegmenter.open(modelDir, SegmenterOptions.builder().optArgMaxInGraph(false)
                        .optFusedUpsampling(false).optIntraOpThreads(1).build());
                OnnxSegmenter graph = OnnxSegmenter.open(modelDir,
                        SegmenterOptions.builder().optArgMaxInGraph(true).optIntraOpThreads(1).build());
                OnnxSegmenter fused = OnnxSegmenter.open(modelDir, SegmenterOptions.builder().optArgMaxInGraph(false)
                        .optFusedUpsampling(true).optIntraOpThreads(1).build())) {
            Map<String, Pass> argmax = new LinkedHashMap<>();
            argmax.put("argmax in Java (pre+infer+post)", () -> segmentAll(java, images, null));
            argmax.put("argmax in the graph (pre+infer+post)", () -> segmentAll(graph, images, null));
            argmax.put("upsampling fused with the argmax (pre+infer+post)", () -> segmentAll(fused, images, null));
            out.addAll(interleaved("argmax", argmax, frames.size(), rounds, false));
            segmentAll(graph, images, masks);
        }

        progress.accept("lever: mask encodings ...");
        Map<String, Pass> encode = new LinkedHashMap<>();
        encode.put("PNG, ImageIO writer (before)", () -> {
            long bytes = 0;
            for (ClassMask m : masks) {
                bytes += LabelPng.encode8(LabelImage.of8(m.width(), m.height(), m.classIds())).length;
            }
            return bytes;
        });
        for (GreyPngEncoder.Filter filter : List.of(GreyPngEncoder.Filter.UP, GreyPngEncoder.Filter.SUB,
                GreyPngEncoder.Filter.NONE)) {
            for (int level : new int[] {Deflater.BEST_SPEED, 6}) {
                encode.put("PNG, filter " + filter + ", deflate " + level, () -> {
                    long bytes = 0;
                    for (ClassMask m : masks) {
                        bytes += GreyPngEncoder.encode(m.classIds(), m.width(), m.height(), filter, level).length;
                    }
                    return bytes;
                });
            }
        }
        encode.put("RLE", () -> {
            long bytes = 0;
            for (ClassMask m : masks) {
                bytes += MaskCodec.encodeRle(m).length;
            }
            return bytes;
        });
        out.addAll(interleaved("mask encoding", encode, masks.size(), rounds, true));
        return new Report(out);
    }

    private static List<Variant> interleaved(String lever, Map<String, Pass> passes, int frames, int rounds,
            boolean sizes) throws Exception {
        List<String> names = new ArrayList<>(passes.keySet());
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, List<Double>> ms = new LinkedHashMap<>();
        Map<String, List<Double>> cpuMs = new LinkedHashMap<>();
        Map<String, Long> bytes = new LinkedHashMap<>();
        for (String n : names) {
            passes.get(n).run();    // warm-up
            ms.put(n, new ArrayList<>());
            cpuMs.put(n, new ArrayList<>());
        }
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < names.size(); k++) {
                String n = names.get((k + round) % names.size());
                long c0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                long size = passes.get(n).run();
                ms.get(n).add((System.nanoTime() - t0) / 1e6 / frames);
                cpuMs.get(n).add((threads.getCurrentThreadCpuTime() - c0) / 1e6 / frames);
                bytes.put(n, size);
            }
        }
        List<Variant> out = new ArrayList<>();
        for (String n : names) {
            out.add(new Variant(lever, n, ms.get(n), cpuMs.get(n), sizes ? (double) bytes.get(n) / frames : 0));
        }
        return out;
    }

    /** Decodes every frame, and writes it into {@code input} with {@code pre} where one is given. */
    private static long decodeAll(FrameDecoder decoder, CameraFrame like, List<byte[]> data, FramePreprocessor pre,
            FloatBuffer input) throws ImageFormatException {
        for (byte[] d : data) {
            RgbImage img = decoder.decode(like.getEncoding(), d, like.getWidth(), like.getHeight(), "lever frame");
            if (pre != null) {
                pre.write(img, input, 0);
            }
        }
        return 0;
    }

    private static long segmentAll(OnnxSegmenter segmenter, List<RgbImage> images, List<ClassMask> keep) {
        for (RgbImage img : images) {
            Segmentation s = segmenter.segment(img);
            if (keep != null) {
                keep.add(s.mask());
            }
        }
        return 0;
    }
}
