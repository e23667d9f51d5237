package io.segstream.cli;

import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.ReceivedRecord;
import io.segstream.core.alerts.AlertAgreement;
import io.segstream.core.alerts.AlertRule;
import io.segstream.core.alerts.AlertRules;
import io.segstream.core.alerts.AlertTimeline;
import io.segstream.core.alerts.LabelAlerts;
import io.segstream.core.imaging.FrameDecoder;
import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.LabelPng;
import io.segstream.core.imaging.MaskOverlay;
import io.segstream.core.imaging.RgbImage;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.masks.ClassMask;
import io.segstream.core.masks.MaskCodec;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AlertState;
import io.segstream.schemas.AvroBytes;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.ImageEncoding;
import io.segstream.schemas.SegmentationMask;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The demo's live view: reads masks, alerts and dead letters (read_committed), prints a status line every
 * second and each alert as it arrives, and writes overlay PNGs of sampled frames. It also runs the rules on the
 * ground truth of every frame that got a mask, so the job's alerts can be scored against the alerts a perfect model
 * would have caused ({@link #alertAgreement}).
 */
final class DemoView implements AutoCloseable {
    private final AvroTopicReader<SegmentationMask> masks;
    private final AvroTopicReader<Alert> alerts;
    private final AvroTopicReader<DeadLetter> deadLetters;
    private final PrintWriter out;
    private final Path overlayDir;
    private final int sampleEvery;
    private final AlertRules rules;
    private final Function<SegmentationMask, byte[]> frameOf;
    private final Function<SegmentationMask, byte[]> truthOf;
    private final Set<String> ruleIds;
    private final LabelAlerts truthAlerts;
    private final AlertTimeline predictedAlerts = new AlertTimeline();
    private final FrameDecoder decoder = new FrameDecoder();
    private final Map<String, List<String>> raised = new HashMap<>();
    private final Map<String, String> modelByCamera = new HashMap<>();

    private long maskCount;
    private long alertCount;
    private long raisedCount;
    private long deadLetterCount;
    private long masksThisSecond;
    private final List<Float> latencies = new ArrayList<>();
    // capture to visible for a read_committed consumer: what an operator waits for
    private final List<Float> maskVisible = new ArrayList<>();
    private final List<Float> alertVisible = new ArrayList<>();
    private final List<Float> recentLatencies = new ArrayList<>();
    private final List<Long> recentVisible = new ArrayList<>();
    private double miouSum;
    private long miouCount;
    private int overlays;

    DemoView(AvroTopicReader<SegmentationMask> masks, AvroTopicReader<Alert> alerts,
            AvroTopicReader<DeadLetter> deadLetters, PrintWriter out, Path overlayDir, int sampleEvery,
            AlertRules rules, Function<SegmentationMask, byte[]> frameOf, Function<SegmentationMask, byte[]> truthOf) {
        this.masks = masks;
        this.alerts = alerts;
        this.deadLetters = deadLetters;
        this.out = out;
        this.overlayDir = overlayDir;
        this.sampleEvery = sampleEvery;
        this.rules = rules;
        this.frameOf = frameOf;
        this.truthOf = truthOf;
        this.ruleIds = rules.rules().stream().map(AlertRule::id).collect(Collectors.toUnmodifiableSet());
        this.truthAlerts = new LabelAlerts(rules);
    }

    /** Reads whatever arrived within about {@code wait}; prints alerts as they come. */
    void poll(Duration wait) throws IOException {
        for (ReceivedRecord<Alert> r : alerts.poll(Duration.ofMillis(10))) {
            onAlert(r.value());
        }
        for (ReceivedRecord<DeadLetter> r : deadLetters.poll(Duration.ofMillis(10))) {
            deadLetterCount++;
            out.println("dead letter: " + r.value().getReason());
        }
        for (ReceivedRecord<SegmentationMask> r : masks.poll(wait)) {
            onMask(r.value());
        }
        out.flush();
    }

    private void onAlert(Alert a) {
        alertCount++;
        if (a.getState() == AlertState.RAISED && ruleIds.contains(a.getRuleId())) {
            alertVisible.add((float) (System.currentTimeMillis() - a.getCaptureTime().toEpochMilli()));
        }
        // system alerts (a rejected model release) have no ground truth to match
        if (ruleIds.contains(a.getRuleId())) {
            predictedAlerts.add(a.getCameraId(), a.getRuleId(), a.getAlertId(), a.getSeq(), a.getState());
        }
        List<String> active = raised.computeIfAbsent(a.getCameraId(), c -> new ArrayList<>());
        if (a.getState() == AlertState.RAISED) {
            raisedCount++;
            active.add(a.getRuleId());
        } else {
            active.remove(a.getRuleId());
        }
        out.printf(Locale.ROOT, "ALERT %-7s %-8s %-36s %s seq %d, %.1f %% of zone %s%n", a.getState(),
                a.getSeverity(), a.getRuleId(), a.getCameraId(), a.getSeq(), 100 * a.getAreaFraction(),
                a.getZoneId() == null ? "frame" : a.getZoneId());
    }

    private void onMask(SegmentationMask m) throws IOException {
        String model = m.getModel().getName() + ":" + m.getModel().getVersion();
        String before = modelByCamera.put(m.getCameraId(), model);
        if (before != null && !before.equals(model)) {
            out.printf(Locale.ROOT, "MODEL %s switched from %s to %s at seq %d%n", m.getCameraId(), before, model,
                    m.getSeq());
        }
        maskCount++;
        masksThisSecond++;
        latencies.add(m.getTimings().getEndToEndMs());
        recentLatencies.add(m.getTimings().getEndToEndMs());
        recentVisible.add(System.currentTimeMillis() - m.getCaptureTime().toEpochMilli());
        maskVisible.add((float) (System.currentTimeMillis() - m.getCaptureTime().toEpochMilli()));
        if (m.getFrameMiou() != null) {
            miouSum += m.getFrameMiou();
            miouCount++;
        }
        String name = "ground truth of camera " + m.getCameraId() + " seq " + m.getSeq();
        try {
            truthAlerts.onFrame(m.getCameraId(), m.getSeq(), m.getCaptureTime().toEpochMilli(),
                    LabelPng.read8(truthOf.apply(m), name));
        } catch (ImageFormatException e) {
            out.println("alert scoring skipped " + name + ": " + e.getMessage());
        }
        List<String> active = raised.getOrDefault(m.getCameraId(), List.of());
        if (m.getSeq() % sampleEvery == 0 || (!active.isEmpty() && m.getSeq() % Math.max(1, sampleEvery / 5) == 0)) {
            writeOverlay(m, active);
        }
    }

    private void writeOverlay(SegmentationMask m, List<String> active) throws IOException {
        String name = m.getCameraId() + "_" + String.format("%06d", m.getSeq());
        try {
            RgbImage frame = decoder.decode(ImageEncoding.JPEG, frameOf.apply(m), m.getWidth(), m.getHeight(), name);
            ClassMask mask = MaskCodec.decode(AvroBytes.toArray(m.getMask()), m.getMaskEncoding(), name);
            BufferedImage img = MaskOverlay.blend(frame, mask.classIds(),
                    LabelSet.named(m.getLabelSet()).classPalette(), 0.45f);
            MaskOverlay.drawZones(img, rules.zonesFor(m.getCameraId()), !active.isEmpty());
            MaskOverlay.drawCaption(img, m, active);
            LabelPng.write(img, overlayDir.resolve(name + ".png"));
            overlays++;
        } catch (ImageFormatException e) {
            out.println("overlay of " + name + " skipped: " + e.getMessage());
        }
    }

    /** One status line for the second that just passed (latencies of the masks that arrived in it). */
    String statusLine(long elapsedSeconds) {
        float[] lat = sorted(recentLatencies);
        long[] vis = recentVisible.stream().mapToLong(Long::longValue).sorted().toArray();
        recentLatencies.clear();
        recentVisible.clear();
        String line = String.format(Locale.ROOT,
                "t=%3ds  masks/s %5.1f  masks %6d  latency p50 %5.0f ms p99 %5.0f ms  visible p50 %5d ms"
                        + "  mIoU %.3f  alerts raised %d",
                elapsedSeconds, (double) masksThisSecond, maskCount, percentile(lat, 0.50), percentile(lat, 0.99),
                vis.length == 0 ? 0 : vis[vis.length / 2], miouCount == 0 ? 0 : miouSum / miouCount, raisedCount);
        masksThisSecond = 0;
        return line;
    }

    private static float[] sorted(List<Float> values) {
        float[] a = new float[values.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = values.get(i);
        }
        Arrays.sort(a);
        return a;
    }

    static float percentile(float[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
    }

    long masks() {
        return maskCount;
    }

    /** The job's alerts against those the rules raise on the ground truth of the same frames. */
    AlertAgreement alertAgreement(int toleranceFrames) {
        return AlertAgreement.score(predictedAlerts.episodes(), truthAlerts.timeline().episodes(), toleranceFrames,
                truthAlerts.timeline().lastSeqs());
    }

    long alerts() {
        return alertCount;
    }

    long deadLetters() {
        return deadLetterCount;
    }

    int overlays() {
        return overlays;
    }

    double meanMiou() {
        return miouCount == 0 ? Double.NaN : miouSum / miouCount;
    }

    float latencyPercentile(double q) {
        return percentile(sorted(latencies), q);
    }

    /** Capture to visible (read_committed) of the masks, at quantile {@code q}. */
    float maskVisiblePercentile(double q) {
        return percentile(sorted(maskVisible), q);
    }

    /** Capture to visible (read_committed) of the raised alerts, at quantile {@code q}; NaN without alerts. */
    float alertVisiblePercentile(double q) {
        return alertVisible.isEmpty() ? Float.NaN : percentile(sorted(alertVisible), q);
    }

    @Override
    public void close() {
        masks.close();
        alerts.close();
        deadLetters.close();
    }
}
