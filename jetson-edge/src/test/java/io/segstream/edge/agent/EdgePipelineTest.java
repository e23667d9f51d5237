package io.segstream.edge.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.alerts.AlertEngine;
import io.segstream.core.alerts.AlertEvent;
import io.segstream.core.alerts.AlertRules;
import io.segstream.core.alerts.MaskFrames;
import io.segstream.core.alerts.RuleState;
import io.segstream.core.alerts.ZoneMasks;
import io.segstream.core.frames.FrameSegmenter;
import io.segstream.core.model.BootstrapModel;
import io.segstream.core.scenes.Actor;
import io.segstream.core.scenes.Area;
import io.segstream.core.scenes.DriveGenerator;
import io.segstream.core.scenes.Intrusion;
import io.segstream.core.scenes.SceneKind;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.edge.agent.EdgeCounters.Count;
import io.segstream.edge.spool.DiskSpool;
import io.segstream.edge.spool.RecordKind;
import io.segstream.edge.spool.SpoolOptions;
import io.segstream.edge.spool.SpoolRecord;
import io.segstream.edge.testing.EdgeTesting;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AlertState;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import io.segstream.schemas.MaskEncoding;
import io.segstream.schemas.SegmentationMask;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's per-frame work without Kafka or cameras: the bundled model on ONNX Runtime, a real spool, frames of a
 * rendered drive. The alerts it spools are exactly those the alert engine gives for its masks (what the Flink job's
 * alert operator computes), frames are numbered past earlier runs, and a clock that jumps back does not reorder
 * capture times.
 */
class EdgePipelineTest {
    private static final long T0 = Instant.parse("2026-12-06T08:00:00Z").toEpochMilli();
    private static final int FRAMES = 24;
    private static List<byte[]> jpegs;
    private static OnnxSegmenter model;
    private static AlertRules rules;

    @TempDir
    Path dir;

    @BeforeAll
    static void renderAndOpen(@TempDir Path modelDir) throws Exception {
        DriveGenerator drive = DriveGenerator.builder().setSize(512, 256).setFrames(FRAMES).optKind(SceneKind.RAIL)
                .optSeed(7).optSpeed(5).optIntrusion(Intrusion.of(Actor.TRUCK, Area.TRACK, 6, 18)).build();
        jpegs = new ArrayList<>();
        for (int i = 0; i < FRAMES; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(drive.render(i).toImage(), "jpeg", out);
            jpegs.add(out.toByteArray());
        }
        model = OnnxSegmenter.open(BootstrapModel.extractBundled(modelDir).dir(), SegmenterOptions.defaults());
        rules = AlertRules.load(Path.of(EdgeTesting.flickerRules()));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static CameraFrame frame(int i, long captureMillis) {
        return CameraFrame.newBuilder().setCameraId("cam-1").setSeq(i).setCaptureTime(Instant.ofEpochMilli(captureMillis))
                .setIngestTime(Instant.ofEpochMilli(captureMillis)).setWidth(512).setHeight(256)
                .setEncoding(ImageEncoding.JPEG).setData(ByteBuffer.wrap(jpegs.get(i))).setAttributes(Map.of())
                .build();
    }

    private record Run(List<SegmentationMask> masks, List<Alert> alerts, List<CameraFrame> frames,
            EdgeCounters counters) {}

    /** Sends the drive's frames through a pipeline on the spool in {@code spoolDir} and reads back what it spooled. */
    private Run run(Path spoolDir, FramesPolicy policy, long[] captureTimes) throws Exception {
        EdgeCounters counters = new EdgeCounters();
        List<SpoolRecord> masks;
        List<SpoolRecord> alerts;
        List<SpoolRecord> frames;
        try (DiskSpool spool = DiskSpool.open(spoolDir, SpoolOptions.of(64L << 20))) {
            EdgePipeline pipeline = new EdgePipeline(new FrameSegmenter(model, rules, MaskEncoding.PNG_CLASS_IDS),
                    new AlertEngine(rules), spool, CameraSequences.open(spoolDir), policy, counters);
            for (int i = 0; i < FRAMES; i++) {
                pipeline.send(frame(i, captureTimes[i]), (f, error) -> assertNull(error));
            }
            pipeline.close();
            masks = spool.next(RecordKind.MASK, 1000);
            alerts = spool.next(RecordKind.ALERT, 1000);
            frames = spool.next(RecordKind.FRAME, 1000);
        }
        AvroCodec<SegmentationMask> maskCodec = AvroCodec.of(SegmentationMask.class);
        AvroCodec<Alert> alertCodec = AvroCodec.of(Alert.class);
        AvroCodec<CameraFrame> frameCodec = AvroCodec.of(CameraFrame.class);
        List<SegmentationMask> m = new ArrayList<>();
        for (SpoolRecord r : masks) {
            m.add(maskCodec.decode(r.value()));
        }
        List<Alert> a = new ArrayList<>();
        for (SpoolRecord r : alerts) {
            a.add(alertCodec.decode(r.value()));
        }
        List<CameraFrame> f = new ArrayList<>();
        for (SpoolRecord r : frames) {
            f.add(frameCodec.decode(r.value()));
        }
        return new Run(m, a, f, counters);
    }

    private static long[] steady() {
        long[] t = new long[FRAMES];
        for (int i = 0; i < FRAMES; i++) {
            t[i] = T0 + i * 100L;
        }
        return t;
    }

    @Test
    void theAlertsAreTheEnginesForTheSpooledMasks() throws Exception {
        Run run = run(dir, FramesPolicy.NONE, steady());
        assertEquals(FRAMES, run.masks().size());
        assertEquals(List.of(), run.frames(), "send-frames none");
        // the engine on its own, fed the spooled masks as the Flink job's alert operator is fed the masks topic
        AlertEngine engine = new AlertEngine(rules);
        Map<String, RuleState> states = new HashMap<>();
        List<Alert> expected = new ArrayList<>();
        for (SegmentationMask mask : run.masks()) {
            for (AlertEvent e : engine.onFrame(MaskFrames.toFrame(mask, engine.zonesFor(mask.getCameraId()),
                    ZoneMasks.shared()), states)) {
                expected.add(e.toAvro(mask.getModel().getVersion()));
            }
        }
        assertFalse(expected.isEmpty(), "the drive raises alerts under the flicker rules");
        assertEquals(expected, run.alerts(), "the same alerts, ids included");
        for (Alert a : run.alerts()) {
            assertEquals(AlertEngine.alertId("cam-1", a.getState() == AlertState.RAISED ? a.getSeq()
                    : raisedSeq(run.alerts(), a), a.getRuleId()), a.getAlertId());
        }
    }

    private static long raisedSeq(List<Alert> alerts, Alert cleared) {
        return alerts.stream().filter(a -> a.getAlertId().equals(cleared.getAlertId())
                && a.getState() == AlertState.RAISED).findFirst().orElseThrow().getSeq();
    }

    @Test
    void framesAroundEachRaisedAlertAreSpooledWithSendFramesAlerts() throws Exception {
        Run run = run(dir, FramesPolicy.ALERTS, steady());
        List<Long> raised = run.alerts().stream().filter(a -> a.getState() == AlertState.RAISED)
                .map(Alert::getSeq).toList();
        assertFalse(raised.isEmpty());
        assertFalse(run.frames().isEmpty());
        for (CameraFrame f : run.frames()) {
            assertTrue(raised.stream().anyMatch(s -> Math.abs(s - f.getSeq()) <= EdgePipeline.FRAMES_AROUND_ALERT),
                    "frame " + f.getSeq() + " is near a raised alert " + raised);
        }
        for (long s : raised) {
            assertTrue(run.frames().stream().anyMatch(f -> f.getSeq() == s), "the raising frame " + s + " is sent");
        }
    }

    @Test
    void aClockThatJumpsBackIsReportedAndCaptureTimesStayInOrder() throws Exception {
        long[] t = steady();
        for (int i = 12; i < FRAMES; i++) {
            t[i] = 5_000 + i * 100L; // the device rebooted into 1970
        }
        Run run = run(dir, FramesPolicy.NONE, t);
        assertEquals(1, run.counters().get("cam-1", Count.CLOCK_JUMPS));
        long last = 0;
        for (SegmentationMask m : run.masks()) {
            long capture = m.getCaptureTime().toEpochMilli();
            assertTrue(capture >= last, "capture times never go back: " + capture + " after " + last);
            assertTrue(capture >= T0, "no 1970 capture time reaches Kafka");
            last = capture;
        }
    }

    @Test
    void aSecondRunNumbersItsFramesAfterTheFirst() throws Exception {
        run(dir, FramesPolicy.ALL, steady());
        long[] later = steady();
        for (int i = 0; i < FRAMES; i++) {
            later[i] += 60_000;
        }
        Run second = run(dir, FramesPolicy.ALL, later);
        List<Long> seqs = second.masks().stream().map(SegmentationMask::getSeq).toList();
        List<Long> expected = new ArrayList<>(LongStream.range(0, FRAMES).boxed().toList());
        expected.addAll(LongStream.range(1000, 1000 + FRAMES).boxed().toList());
        assertEquals(expected, seqs, "the first run's masks (still spooled), then the second run's, numbered past the"
                + " block the first run reserved");
        assertEquals(seqs, second.frames().stream().map(CameraFrame::getSeq).toList(),
                "send-frames all: every frame, with its mask's seq");
        assertEquals(0, second.counters().get("cam-1", Count.CLOCK_JUMPS));
    }

    @Test
    void everySpooledAlertAlsoGoesToTheSitesHookInOrder() throws Exception {
        Path out = dir.resolve("hook").resolve("alerts.jsonl");
        java.nio.file.Files.createDirectories(out.getParent());
        List<SpoolRecord> spooled;
        try (DiskSpool spool = DiskSpool.open(dir.resolve("spool"), SpoolOptions.of(64L << 20));
                AlertHook hook = AlertHook.start(new AlertHookOptions("cat >> '" + out + "'"))) {
            EdgePipeline pipeline = new EdgePipeline(new FrameSegmenter(model, rules, MaskEncoding.PNG_CLASS_IDS),
                    new AlertEngine(rules), spool, CameraSequences.open(dir.resolve("spool")), FramesPolicy.NONE,
                    new EdgeCounters(), hook);
            long[] t = steady();
            for (int i = 0; i < FRAMES; i++) {
                pipeline.send(frame(i, t[i]), (f, error) -> assertNull(error));
            }
            pipeline.close();
            hook.close();
            spooled = spool.next(RecordKind.ALERT, 1000);
            assertEquals(spooled.size(), hook.delivered());
        }
        assertFalse(spooled.isEmpty(), "the drive raises alerts under the flicker rules");
        AvroCodec<Alert> codec = AvroCodec.of(Alert.class);
        List<String> expected = new ArrayList<>();
        for (SpoolRecord r : spooled) {
            Alert a = codec.decode(r.value());
            expected.add(a.getAlertId() + " " + a.getState());
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> hooked = new ArrayList<>();
        for (String line : java.nio.file.Files.readAllLines(out)) {
            com.fasterxml.jackson.databind.JsonNode n = json.readTree(line);
            hooked.add(n.get("alert_id").asText() + " " + n.get("state").asText());
        }
        assertEquals(expected, hooked, "the hook got the spooled alerts, in order");
    }
}
