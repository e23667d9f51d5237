package io.segstream.ingest.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.ingest.grab.ImageOptions;
import io.segstream.ingest.grab.SourceSpec;
import io.segstream.ingest.metrics.CameraMetrics;
import io.segstream.ingest.metrics.CameraState;
import io.segstream.ingest.metrics.IngestMetrics;
import io.segstream.ingest.replay.Pace;
import io.segstream.ingest.testing.Await;
import io.segstream.ingest.testing.GatedSink;
import io.segstream.ingest.testing.MjpegHttpServer;
import io.segstream.ingest.testing.VideoFixtures;
import io.segstream.schemas.CameraFrame;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the sink stops taking frames, a live camera keeps grabbing and drops its oldest queued frames (counted),
 * while a replay camera waits and loses nothing. Real streams and recordings through JavaCV.
 */
class BackpressureITCase {
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    @Test
    void liveCameraDropsTheOldestAndReplayWaits() throws Exception {
        Path drive = VideoFixtures.video(dir, "drive.mp4", 60, "-c:v", "libx264", "-pix_fmt", "yuv420p");
        GatedSink sink = new GatedSink();
        IngestMetrics metrics = new IngestMetrics(System::nanoTime);
        try (MjpegHttpServer camera = new MjpegHttpServer(20, 160, 120)) {
            camera.start();
            CameraConfig live = LiveIngestITCase.liveCamera("live", camera.url(), Duration.ofSeconds(2),
                    Duration.ofSeconds(5));
            CameraConfig replay = new CameraConfig("replay", SourceSpec.of(drive.toString()), CameraMode.REPLAY, 0,
                    ImageOptions.DEFAULT, Map.of(), Pace.MAX, false, "d1", Duration.ofSeconds(15), 4);
            try (IngestService service = LiveIngestITCase.service(sink, metrics)) {
                sink.close(false);
                service.apply(new CamerasConfig(List.of(live, replay)));
                CameraMetrics lm = metrics.camera("live");
                CameraMetrics rm = metrics.camera("replay");

                Await.until(() -> lm.dropped() >= 10, WAIT, () -> HealthLine.of(lm));
                // the replay grabbed what fits: its queue, the frame in the blocked send, the one waiting to be queued
                Await.until(() -> rm.grabbed() >= 4, WAIT, () -> HealthLine.of(rm));
                assertTrue(rm.grabbed() <= 6, "the replay waits instead of reading on: " + HealthLine.of(rm));
                assertEquals(0, rm.dropped());
                assertEquals(CameraState.STREAMING, lm.state(), "a blocked sink is no reason to reconnect");

                sink.close(true);
                Await.until(() -> rm.state() == CameraState.FINISHED && rm.sent() == 60 && lm.sent() > 10, WAIT,
                        () -> HealthLine.of(rm) + " | " + HealthLine.of(lm));
            }
            List<CameraFrame> replayed =
                    sink.received().stream().filter(f -> f.getCameraId().equals("replay")).toList();
            assertEquals(60, replayed.size(), "a replay loses nothing");
            for (int i = 0; i < 60; i++) {
                assertEquals(i, replayed.get(i).getSeq());
            }
            List<CameraFrame> lived = sink.received().stream().filter(f -> f.getCameraId().equals("live")).toList();
            long lastSeq = lived.get(lived.size() - 1).getSeq();
            assertEquals(lastSeq + 1, lived.size() + metrics.camera("live").dropped(),
                    "every live frame was either sent or counted as dropped");
            boolean hole = false;
            for (int i = 1; i < lived.size(); i++) {
                assertTrue(lived.get(i).getSeq() > lived.get(i - 1).getSeq(), "order kept");
                hole |= lived.get(i).getSeq() > lived.get(i - 1).getSeq() + 1;
            }
            assertTrue(hole, "the dropped frames are missing from the live sequence");
        }
    }
}
