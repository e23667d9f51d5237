package io.segstream.ingest.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.segstream.connectors.kafka.ReceivedRecord;
import io.segstream.connectors.kafka.junit.EmbeddedKafkaExtension;
import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import io.segstream.ingest.clock.IngestClock;
import io.segstream.ingest.grab.FrameSize;
import io.segstream.ingest.grab.ImageOptions;
import io.segstream.ingest.grab.SourceException;
import io.segstream.ingest.grab.SourceSpec;
import io.segstream.ingest.sink.KafkaFrameSink;
import io.segstream.ingest.testing.KafkaFrames;
import io.segstream.ingest.testing.ManualClock;
import io.segstream.ingest.testing.VideoFixtures;
import io.segstream.schemas.AvroBytes;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Replays real recordings (made by ffmpeg, read by JavaCV) into a real embedded Kafka broker and reads them back. */
class ReplayITCase {
    private static final Instant T0 = Instant.parse("2024-05-01T08:00:00Z");
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.forClass();
    private static final AtomicInteger TOPICS = new AtomicInteger();

    @TempDir
    Path dir;

    private static String topic() throws IOException {
        return KafkaFrames.newTopic(KAFKA.broker(), "replay" + TOPICS.incrementAndGet() + ".");
    }

    private static ReplayResult replay(ReplayOptions options, String topic, IngestClock clock) throws Exception {
        try (KafkaFrameSink sink = KafkaFrames.sink(KAFKA.broker(), topic)) {
            return new Replayer(options, sink, clock).run(new ReplayListener() {});
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "mp4-h264,  drive.mp4,  -c:v libx264 -pix_fmt yuv420p -g 8 -bf 2",
        "mkv-h264,  drive.mkv,  -c:v libx264 -pix_fmt yuv420p -g 8",
        "avi-mjpeg, drive.avi,  -c:v mjpeg -q:v 4",
        "webm-vp9,  drive.webm, -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -b:v 300k",
    })
    void everyFrameArrivesOnceInOrderWithKeySizeAndTimestamps(String label, String file,
            String codec) throws Exception {
        Path video = VideoFixtures.video(dir, file, 24, codec.strip().split("\\s+"));
        String topic = topic();
        String camera = "cam-" + label;
        ReplayOptions options = ReplayOptions.builder()
                .setSource(SourceSpec.of(video.toString()))
                .setCameraId(camera)
                .optPace(Pace.MAX)
                .optStartTime(T0)
                .optAttributes(Map.of("track", "T1"))
                .build();

        ReplayResult result = replay(options, topic, IngestClock.SYSTEM);

        assertEquals(24, result.framesSent(), label + ": frames sent");
        List<ReceivedRecord<CameraFrame>> records = KafkaFrames.readAll(KAFKA.broker(), topic);
        assertEquals(24, records.size(), label + ": records on the topic");
        for (int i = 0; i < records.size(); i++) {
            ReceivedRecord<CameraFrame> r = records.get(i);
            CameraFrame f = r.value();
            assertEquals(camera, r.keyString(), "key");
            assertEquals(camera, f.getCameraId());
            assertEquals(i, f.getSeq(), label + ": seq of record " + i);
            assertEquals(T0.plusMillis(50L * i), f.getCaptureTime(), label + ": capture time of frame " + i);
            assertEquals(VideoFixtures.WIDTH, f.getWidth());
            assertEquals(VideoFixtures.HEIGHT, f.getHeight());
            assertEquals(ImageEncoding.JPEG, f.getEncoding());
            assertEquals("drive", f.getDriveId());
            assertEquals(Map.of("track", "T1"), f.getAttributes());
            assertNull(f.getGroundTruth());
            BufferedImage img = decode(f.getData());
            assertEquals(VideoFixtures.WIDTH, img.getWidth());
            assertEquals(VideoFixtures.HEIGHT, img.getHeight());
        }
    }

    @Test
    void resizesAndEncodesPng() throws Exception {
        Path video = VideoFixtures.video(dir, "drive.mp4", 6, "-c:v", "libx264", "-pix_fmt", "yuv420p");
        String topic = topic();
        ReplayOptions options = ReplayOptions.builder()
                .setSource(SourceSpec.of(video.toString()))
                .setCameraId("cam-png")
                .optImage(new ImageOptions(ImageEncoding.PNG, 90, FrameSize.parse("80x64")))
                .optPace(Pace.MAX)
                .build();
        replay(options, topic, IngestClock.SYSTEM);

        List<CameraFrame> frames = KafkaFrames.ofCamera(KafkaFrames.readAll(KAFKA.broker(), topic), "cam-png");
        assertEquals(6, frames.size());
        for (CameraFrame f : frames) {
            assertEquals(ImageEncoding.PNG, f.getEncoding());
            assertEquals(80, f.getWidth());
            assertEquals(64, f.getHeight());
            byte[] data = AvroBytes.toArray(f.getData());
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(data, 4));
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(data));
            assertEquals(80, img.getWidth());
            assertEquals(64, img.getHeight());
        }
    }

    @Test
    void jpegsEncodedInParallelSlicesStillDecode() throws Exception {
        Path video = VideoFixtures.video(dir, "sliced.mp4", 6, "-c:v", "libx264", "-pix_fmt", "yuv420p");
        String topic = topic();
        ReplayOptions options = ReplayOptions.builder()
                .setSource(SourceSpec.of(video.toString()))
                .setCameraId("cam-sliced")
                .optImage(ImageOptions.DEFAULT.withEncoderThreads(3))
                .optPace(Pace.MAX)
                .build();
        replay(options, topic, IngestClock.SYSTEM);

        List<CameraFrame> frames = KafkaFrames.ofCamera(KafkaFrames.readAll(KAFKA.broker(), topic), "cam-sliced");
        assertEquals(6, frames.size());
        for (CameraFrame f : frames) {
            BufferedImage img = decode(f.getData());
            assertEquals(VideoFixtures.WIDTH, img.getWidth());
        }
    }

    @Test
    void plainImageFolderPlaysAtTheGivenFrameRateInNameOrder() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("snapshots"));
        for (int i : new int[] {1, 2, 10}) {
            Files.write(folder.resolve("snap" + i + ".jpg"), VideoFixtures.jpeg(i, 64, 48));
        }
        Files.writeString(folder.resolve("readme.txt"), "not an image");
        String topic = topic();
        ReplayOptions options = ReplayOptions.builder()
                .setSource(SourceSpec.builder().setLocation(folder.toString()).optSequenceFps(4).build())
                .setCameraId("cam-folder")
                .optPace(Pace.MAX)
                .optStartTime(T0)
                .build();
        replay(options, topic, IngestClock.SYSTEM);

        List<CameraFrame> frames = KafkaFrames.ofCamera(KafkaFrames.readAll(KAFKA.broker(), topic), "cam-folder");
        assertEquals(3, frames.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(T0.plusMillis(250L * i), frames.get(i).getCaptureTime());
            assertEquals(64, frames.get(i).getWidth());
            assertEquals("snapshots", frames.get(i).getDriveId());
        }
    }

    @Test
    void cityscapesSequenceCarriesItsLabelsAsGroundTruth() throws Exception {
        VideoFixtures.cityscapesSequence(dir, "testcity", 6, Set.of(0, 3));
        String topic = topic();
        ReplayOptions options = ReplayOptions.builder()
                .setSource(SourceSpec.of(dir.toString()))
                .setCameraId("cam-cs")
                .optPace(Pace.MAX)
                .optStartTime(T0)
                .optDriveId("testcity_000001")
                .build();
        replay(options, topic, IngestClock.SYSTEM);

        List<CameraFrame> frames = KafkaFrames.ofCamera(KafkaFrames.readAll(KAFKA.broker(), topic), "cam-cs");
        assertEquals(6, frames.size());
        for (int i = 0; i < 6; i++) {
            CameraFrame f = frames.get(i);
            assertEquals(i, f.getSeq());
            assertEquals("testcity_000001", f.getDriveId());
            // Cityscapes sequences are recorded at 17 Hz
            assertEquals(T0.plusNanos(Math.round(i * 1e9 / 17)).toEpochMilli(), f.getCaptureTime().toEpochMilli());
            if (i == 0 || i == 3) {
                assertNotNull(f.getGroundTruth(), "frame " + i + " has labels");
                LabelImage labels = LabelPng.read8(AvroBytes.toArray(f.getGroundTruth()), "ground truth " + i);
                assertArrayEquals(VideoFixtures.labelImage(i, VideoFixtures.WIDTH, VideoFixtures.HEIGHT).values(),
                        labels.values());
            } else {
                assertNull(f.getGroundTruth(), "frame " + i + " has no labels");
            }
        }
    }

    @Test
    void resizedCityscapesLabelsAreResizedWithoutBlending() throws Exception {
        VideoFixtures.cityscapesSequence(dir, "resizecity", 2, Set.of(0, 1));
        String topic = topic();
        ReplayOptions options = ReplayOptions.builder()
                .setSource(SourceSpec.of(dir.resolve("leftImg8bit_sequence/val/resizecity").toString()))
                .setCameraId("cam-cs-small")
                .optImage(ImageOptions.DEFAULT.withResize(FrameSize.parse("80x60")))
                .optPace(Pace.MAX)
                .build();
        replay(options, topic, IngestClock.SYSTEM);

        List<CameraFrame> frames = KafkaFrames.ofCamera(KafkaFrames.readAll(KAFKA.broker(), topic), "cam-cs-small");
        assertEquals(2, frames.size());
        for (CameraFrame f : frames) {
            assertEquals("resizecity_000001", f.getDriveId(), "a sequence's drive id is its city_seq");
            assertEquals(80, f.getWidth());
            LabelImage labels = LabelPng.read8(AvroBytes.toArray(f.getGroundTruth()), "ground truth");
            assertEquals(80, labels.width());
            assertEquals(60, labels.height());
            for (int v : labels.values()) {
                assertTrue(v == 7 || v == 23, "only the label ids of the source survive a resize, got " + v);
            }
        }
    }

    @Test
    void replaysAnHlsStreamServedOverHttp() throws Exception {
        Path hls = Files.createDirectories(dir.resolve("hls"));
        VideoFixtures.video(hls, "drive.m3u8", 24, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "10",
                "-f", "hls", "-hls_time", "0.5", "-hls_list_size", "0", "-hls_playlist_type", "vod");
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", ex -> {
            Path file = hls.resolve(ex.getRequestURI().getPath().substring(1));
            try (ex; OutputStream out = ex.getResponseBody()) {
                if (!Files.isRegularFile(file)) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] body = Files.readAllBytes(file);
                ex.sendResponseHeaders(200, body.length);
                out.write(body);
            }
        });
        http.start();
        try {
            String topic = topic();
            String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/drive.m3u8";
            ReplayOptions options = ReplayOptions.builder()
                    .setSource(SourceSpec.of(url))
                    .setCameraId("cam-hls")
                    .optPace(Pace.MAX)
                    .optStartTime(T0)
                    .build();
            ReplayResult result = replay(options, topic, IngestClock.SYSTEM);
            assertEquals(24, result.framesSent());
            List<CameraFrame> frames = KafkaFrames.ofCamera(KafkaFrames.readAll(KAFKA.broker(), topic), "cam-hls");
            assertEquals(24, frames.size());
            for (int i = 0; i < 24; i++) {
                assertEquals(i, frames.get(i).getSeq());
                // MPEG-TS starts at 1.4 s; capture times count from the stream's own start
                assertEquals(T0.plusMillis(50L * i), frames.get(i).getCaptureTime());
                assertEquals("drive", frames.get(i).getDriveId());
            }
        } finally {
            http.stop(0);
        }
    }

    @Test
    void fromAndToSelectARange() throws Exception {
        Path video = VideoFixtures.video(dir, "range.mp4", 40, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "10");
        String topic = topic();
        ReplayOptions options = ReplayOptions.builder()
                .setSource(SourceSpec.of(video.toString()))
                .setCameraId("cam-range")
                .optPace(Pace.MAX)
                .optStartTime(T0)
                .optFromMicros(MediaTime.parseMicros("0.7"))
                .optToMicros(MediaTime.parseMicros("1100ms"))
                .build();
        replay(options, topic, IngestClock.SYSTEM);

        List<CameraFrame> frames = KafkaFrames.ofCamera(KafkaFrames.readAll(KAFKA.broker(), topic), "cam-range");
        assertEquals(9, frames.size(), "frames at 0.70, 0.75, ..., 1.10 s");
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(i, frames.get(i).getSeq());
            assertEquals(T0.plusMillis(700 + 50L * i), frames.get(i).getCaptureTime());
        }
    }

    @Test
    void loopingContinuesSeqAndCaptureTimes() throws Exception {
        Path video = VideoFixtures.video(dir, "loop.mkv", 10, "-c:v", "libx264", "-pix_fmt", "yuv420p");
        String topic = topic();
        ReplayOptions options = ReplayOptions.builder()
                .setSource(SourceSpec.of(video.toString()))
                .setCameraId("cam-loop")
                .optPace(Pace.MAX)
                .optStartTime(T0)
                .optLoop(true)
                .build();
        ReplayResult result;
        try (KafkaFrameSink sink = KafkaFrames.sink(KAFKA.broker(), topic)) {
            Replayer replayer = new Replayer(options, sink, IngestClock.SYSTEM);
            result = replayer.run(new ReplayListener() {
                private long total;

                @Override
                public void frameSent(long framesThisPass, long loopPass) {
                    if (++total == 25) {
                        replayer.stop();
                    }
                }
            });
        }
        assertEquals(25, result.framesSent());
        assertEquals(3, result.passes());
        List<CameraFrame> frames = KafkaFrames.ofCamera(KafkaFrames.readAll(KAFKA.broker(), topic), "cam-loop");
        assertEquals(25, frames.size());
        for (int i = 0; i < 25; i++) {
            assertEquals(i, frames.get(i).getSeq());
            assertEquals(T0.plusMillis(50L * i), frames.get(i).getCaptureTime(), "capture time of frame " + i);
        }
    }

    @Test
    void pacingFollowsTheRecordingOnTheInjectedClock() throws Exception {
        Path video = VideoFixtures.video(dir, "paced.mp4", 12, "-c:v", "libx264", "-pix_fmt", "yuv420p");
        for (String pace : List.of("realtime", "x2", "max")) {
            ManualClock clock = new ManualClock(T0);
            ReplayOptions options = ReplayOptions.builder()
                    .setSource(SourceSpec.of(video.toString()))
                    .setCameraId("cam-paced")
                    .optPace(Pace.parse(pace))
                    .build();
            ReplayResult result = replay(options, topic(), clock);
            assertEquals(12, result.framesSent());
            long expected = switch (pace) {
                case "realtime" -> 11 * 50_000_000L;
                case "x2" -> 11 * 25_000_000L;
                default -> 0;
            };
            assertEquals(expected, clock.sleptNanos(), pace + ": time slept on the injected clock");
            if (!pace.equals("max")) {
                assertEquals(11, clock.sleeps().size(), pace + ": one wait per frame after the first");
            }
        }
    }

    @Test
    void truncatedMp4DeliversTheFramesBeforeTheDamageThenFails() throws Exception {
        Path video = VideoFixtures.video(dir, "cut.mp4", 40, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "10",
                "-movflags", "+faststart");
        VideoFixtures.truncate(video, 0.5);
        String topic = topic();
        ReplayOptions options = ReplayOptions.builder()
                .setSource(SourceSpec.of(video.toString()))
                .setCameraId("cam-cut")
                .optPace(Pace.MAX)
                .build();

        SourceException e = assertThrows(SourceException.class, () -> replay(options, topic, IngestClock.SYSTEM));

        assertEquals(SourceException.Reason.DAMAGED, e.reason());
        assertTrue(e.getMessage().contains("cut.mp4") && e.getMessage().contains("truncated"), e.getMessage());
        List<CameraFrame> frames = KafkaFrames.ofCamera(KafkaFrames.readAll(KAFKA.broker(), topic), "cam-cut");
        assertTrue(frames.size() > 5 && frames.size() < 40, "frames before the damage: " + frames.size());
        assertEquals(e.framesDelivered(), frames.size(), "every frame before the damage reached Kafka");
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(i, frames.get(i).getSeq());
        }
    }

    @Test
    void aTextFileNamedMp4IsAClearError() throws Exception {
        Path fake = Files.writeString(dir.resolve("notes.mp4"), "these are notes, not a video\n");
        String topic = topic();
        ReplayOptions options = ReplayOptions.builder()
                .setSource(SourceSpec.of(fake.toString()))
                .setCameraId("cam-fake")
                .optPace(Pace.MAX)
                .build();

        SourceException e = assertThrows(SourceException.class, () -> replay(options, topic, IngestClock.SYSTEM));

        assertEquals(SourceException.Reason.UNREADABLE, e.reason());
        assertTrue(e.getMessage().startsWith(fake + " is not a readable video"), e.getMessage());
        assertEquals(0, KafkaFrames.readAll(KAFKA.broker(), topic).size());
    }

    @Test
    void corruptPacketsAreSkippedAndCounted() throws Exception {
        Path video = VideoFixtures.video(dir, "damaged.mp4", 40, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "10",
                "-movflags", "+faststart");
        byte[] bytes = Files.readAllBytes(video);
        // scribble over the middle of the media data: some packets no longer decode
        for (int i = bytes.length / 2; i < bytes.length / 2 + 2000; i++) {
            bytes[i] = (byte) (i * 131);
        }
        Files.write(video, bytes);
        String topic = topic();
        ReplayOptions options = ReplayOptions.builder()
                .setSource(SourceSpec.of(video.toString()))
                .setCameraId("cam-damaged")
                .optPace(Pace.MAX)
                .build();

        ReplayResult result = replay(options, topic, IngestClock.SYSTEM);

        assertTrue(result.corruptFrames() > 0, "corrupt frames counted");
        assertTrue(result.framesSent() >= 20 && result.framesSent() < 40, "good frames sent: " + result.framesSent());
        assertEquals(40, result.framesSent() + result.corruptFrames(), "every frame is either sent or counted corrupt");
        List<CameraFrame> frames = KafkaFrames.ofCamera(KafkaFrames.readAll(KAFKA.broker(), topic), "cam-damaged");
        assertEquals(result.framesSent(), frames.size());
        for (int i = 1; i < frames.size(); i++) {
            assertTrue(frames.get(i).getCaptureTime().isAfter(frames.get(i - 1).getCaptureTime()),
                    "capture times advance: frame " + i);
        }
    }

    private static BufferedImage decode(ByteBuffer data) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(AvroBytes.toArray(data)));
        assertNotNull(img, "the frame decodes as an image");
        return img;
    }

}
