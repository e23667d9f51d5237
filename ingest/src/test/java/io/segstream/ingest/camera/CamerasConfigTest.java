package io.segstream.ingest.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segstream.ingest.grab.FrameSize;
import io.segstream.ingest.grab.RtspTransport;
import io.segstream.ingest.grab.SourceKind;
import io.segstream.ingest.replay.Pace;
import io.segstream.schemas.ImageEncoding;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CamerasConfigTest {

    @Test
    void readsCamerasWithDefaultsAndOverrides() throws Exception {
        CamerasConfig c = CamerasConfig.parse("""
                defaults:
                  fps: 10
                  resize: 1024x512
                  readTimeout: 3s
                cameras:
                  - id: line12-km34
                    url: rtsp://10.0.0.5/stream1
                    rtspTransport: udp
                    fps: 5
                    jpegQuality: 80
                    attributes: {line: L12, km_post: 34.2, track: 2}
                  - id: usb
                    device: /dev/video0
                    captureSize: 1280x720
                    encoding: png
                    stallTimeout: 20s
                  - id: drive-a
                    path: /data/drive.mp4
                    pace: x4
                    loop: true
                    driveId: a-2024
                    queueFrames: 8
                """, "cameras.yaml");

        CameraConfig rtsp = c.camera("line12-km34");
        assertEquals(SourceKind.NETWORK, rtsp.source().kind());
        assertEquals(RtspTransport.UDP, rtsp.source().rtspTransport());
        assertEquals(Duration.ofSeconds(3), rtsp.source().readTimeout());
        assertEquals(CameraMode.LIVE, rtsp.mode());
        assertEquals(5, rtsp.fpsCap());
        assertEquals(80, rtsp.image().jpegQuality());
        assertEquals(new FrameSize(1024, 512), rtsp.image().resize());
        assertEquals(Map.of("line", "L12", "km_post", "34.2", "track", "2"), rtsp.attributes());

        CameraConfig usb = c.camera("usb");
        assertEquals(SourceKind.DEVICE, usb.source().kind());
        assertEquals(new FrameSize(1280, 720), usb.source().captureSize().orElseThrow());
        assertEquals(ImageEncoding.PNG, usb.image().encoding());
        assertEquals(10, usb.fpsCap(), "fps from defaults");
        assertEquals(Duration.ofSeconds(20), usb.stallTimeout());

        CameraConfig drive = c.camera("drive-a");
        assertEquals(CameraMode.REPLAY, drive.mode(), "recordings replay by default");
        assertEquals(Pace.parse("x4"), drive.pace());
        assertEquals("a-2024", drive.driveId());
        assertEquals(8, drive.queueFrames());
        assertEquals(true, drive.loop());
        assertNull(c.camera("nope"));
    }

    @Test
    void aHugeFileIsRefusedBeforeParsingAndAnAliasIsNeverExpanded() {
        String huge = "cameras:\n  - {id: c1, url: /data/a.mp4}\n# " + "x".repeat(2 << 20) + "\n";
        CameraConfigException e = assertThrows(CameraConfigException.class, () -> CamerasConfig.parse(huge, "big.yaml"));
        assertEquals("big.yaml has " + huge.length() + " characters; a configuration file may have at most 1048576",
                e.getMessage());
        String alias = """
                a: &a [x, x, x, x, x, x, x, x, x, x]
                b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
                cameras:
                  - {id: c1, url: /data/a.mp4}
                """;
        CameraConfigException unknown = assertThrows(CameraConfigException.class,
                () -> CamerasConfig.parse(alias, "alias.yaml"));
        assertEquals(true, unknown.getMessage().startsWith("alias.yaml: unknown top-level key 'a'"),
                unknown.getMessage());
    }

    @Test
    void theExampleFileIsValid() throws Exception {
        CamerasConfig c = CamerasConfig.read(java.nio.file.Path.of("cameras.example.yaml"));
        assertEquals(4, c.cameras().size());
        assertEquals(SourceKind.DEVICE, c.camera("lab-usb").source().kind());
        assertEquals(CameraMode.REPLAY, c.camera("drive-a").mode());
        assertEquals(5, c.camera("depot-gate").fpsCap());
    }

    @Test
    void sameTextGivesEqualConfigsSoReloadsRestartNothing() throws Exception {
        String yaml = "cameras:\n  - {id: a, url: 'http://h/a.mjpg', fps: 4, attributes: {x: 1}}\n";
        assertEquals(CamerasConfig.parse(yaml, "a"), CamerasConfig.parse(yaml, "b"));
    }

    @Test
    void mistakesAreReportedWithFileCameraAndKey() {
        assertMessage("cameras: [{id: a, url: 'rtsp://x', fsp: 5}]",
                "f.yaml: cameras[0] (a): unknown key 'fsp'; known keys: id, url, device, path, attributes, "
                        + "captureSize, driveId, encoderThreads, encoding, fps, inputFormat, jpegQuality, loop, mode, "
                        + "pace, queueFrames, readTimeout, "
                        + "resize, rtspTransport, sequenceFps, stallTimeout");
        assertMessage("cameras: [{id: a, url: 'rtsp://x'}, {id: a, device: /dev/video1}]",
                "f.yaml: cameras[1]: camera id 'a' is used twice; ids must be unique");
        assertMessage("cameras: [{id: a}]",
                "f.yaml: cameras[0] (a): needs exactly one of url, device or path, got none");
        assertMessage("cameras: [{id: a, url: x, path: y}]",
                "f.yaml: cameras[0] (a): needs exactly one of url, device or path, got path and url");
        assertMessage("cameras: [{id: a, url: 'rtsp://x', fps: -2}]",
                "f.yaml: cameras[0] (a): 'fps' must be a positive number, got -2");
        assertMessage("cameras: [{id: a, url: 'rtsp://x', resize: big}]",
                "f.yaml: cameras[0] (a): 'big' is not a frame size; write WIDTHxHEIGHT, for example 1024x512");
        assertMessage("cameras: [{id: a, url: 'rtsp://x', rtspTransport: quic}]",
                "f.yaml: cameras[0] (a): 'rtspTransport' must be one of [tcp, udp], got 'quic'");
        assertMessage("cameras: [{id: a, url: 'rtsp://x', readTimeout: 10s, stallTimeout: 2s}]",
                "f.yaml: cameras[0] (a): 'stallTimeout' (2000 ms) must not be shorter than 'readTimeout' (10000 ms)");
        assertMessage("cameras: [{id: 'bad id', url: 'rtsp://x'}]",
                "f.yaml: cameras[0]: camera id \"bad id\" is not a valid camera id: ids are 1 to 64 characters of"
                        + " A-Z a-z 0-9 . _ - starting with a letter or digit (they name files, metric labels and log"
                        + " lines); fix the producer's camera id");
        // the job's rule, so that no camera configured here has every frame dead-lettered there
        assertMessage("cameras: [{id: 'line1:cam3', url: 'rtsp://x'}]",
                "f.yaml: cameras[0]: camera id \"line1:cam3\" is not a valid camera id: ids are 1 to 64 characters of"
                        + " A-Z a-z 0-9 . _ - starting with a letter or digit (they name files, metric labels and log"
                        + " lines); fix the producer's camera id");
        assertMessage("cameras: [{url: 'rtsp://x'}]",
                "f.yaml: cameras[0]: needs an 'id' (the camera's name: its Kafka key, metric label and log name)");
        assertMessage("camera: []",
                "f.yaml: unknown top-level key 'camera'; expected 'cameras' and optionally 'defaults'");
        assertMessage("", "f.yaml is empty; it needs a 'cameras:' list");
        assertMessage("cameras: [ {id: a, url: ",
                "f.yaml is not valid YAML at line 1, column 23: while parsing a flow node, expected the node content, "
                        + "but found '<stream end>'");
    }

    private static void assertMessage(String yaml, String expected) {
        CameraConfigException e = assertThrows(CameraConfigException.class, () -> CamerasConfig.parse(yaml, "f.yaml"));
        assertEquals(expected, e.getMessage());
    }
}
