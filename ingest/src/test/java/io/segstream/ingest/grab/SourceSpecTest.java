package io.segstream.ingest.grab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.imaging.LabelImage;
import io.segstream.schemas.ImageEncoding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceSpecTest {

    @Test
    void kindIsDetectedFromTheLocation(@TempDir Path dir) throws Exception {
        assertEquals(SourceKind.NETWORK, SourceSpec.detectKind("rtsp://10.0.0.5:554/stream1"));
        assertEquals(SourceKind.NETWORK, SourceSpec.detectKind("HTTP://cam/video.mjpg"));
        assertEquals(SourceKind.NETWORK, SourceSpec.detectKind("https://cdn/live/index.m3u8"));
        assertEquals(SourceKind.DEVICE, SourceSpec.detectKind("/dev/video0"));
        assertEquals(SourceKind.IMAGE_SEQUENCE, SourceSpec.detectKind(dir.toString()));
        assertEquals(SourceKind.FILE, SourceSpec.detectKind(Files.createFile(dir.resolve("drive.mkv")).toString()));
        assertEquals(SourceKind.FILE, SourceSpec.detectKind("missing.mp4"));
        assertTrue(SourceKind.NETWORK.liveByDefault() && SourceKind.DEVICE.liveByDefault());
        assertTrue(!SourceKind.FILE.liveByDefault() && !SourceKind.IMAGE_SEQUENCE.liveByDefault());
    }

    @Test
    void credentialsStayOutOfLogs() {
        assertEquals("rtsp://***@10.0.0.5/stream1",
                SourceSpec.of("rtsp://admin:secret@10.0.0.5/stream1").displayName());
        assertEquals("rtsp://***@10.0.0.5/stream1", SourceSpec.of("rtsp://admin:secret@10.0.0.5/stream1").toString()
                .substring("NETWORK ".length()));
        // FFmpeg's own lines quote the URL they failed on; a password may hold ':' and '%40'
        assertEquals("[rtsp @ 0x5581] method DESCRIBE failed: 401 Unauthorized on rtsp://***@10.0.0.5:554/s1,"
                + " then http://***@cam/x", SourceSpec.redact("[rtsp @ 0x5581] method DESCRIBE failed: 401"
                + " Unauthorized on rtsp://admin:p%40ss:w0rd@10.0.0.5:554/s1, then http://u:v@cam/x"));
        assertEquals("/data/drive@2.mp4 and file:///x@y", SourceSpec.redact("/data/drive@2.mp4 and file:///x@y"));
    }

    @Test
    void builderChecksAndSequenceFpsFollowsTheLayout() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SourceSpec.builder().build());
        assertEquals("a source needs a location: a file path, a stream URL, /dev/videoN or an image folder",
                e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> SourceSpec.builder().setLocation("x").optReadTimeout(java.time.Duration.ZERO).build());
        assertEquals(17.0, SourceSpec.of("x").effectiveSequenceFps(true));
        assertEquals(10.0, SourceSpec.of("x").effectiveSequenceFps(false));
        assertEquals(5.0, SourceSpec.builder().setLocation("x").optSequenceFps(5).build().effectiveSequenceFps(true));
    }

    @Test
    void imageOptionsMapQualityOntoFfmpegsScale() {
        assertEquals(31, new ImageOptions(ImageEncoding.JPEG, 1, null).mjpegQscale());
        assertEquals(5, new ImageOptions(ImageEncoding.JPEG, 90, null).mjpegQscale());
        assertEquals(2, new ImageOptions(ImageEncoding.JPEG, 100, null).mjpegQscale());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ImageOptions(ImageEncoding.JPEG, 0, null));
        assertEquals("JPEG quality must be between 1 and 100, got 0", e.getMessage());
        assertEquals(new FrameSize(1024, 512), FrameSize.parse(" 1024x512 "));
        assertThrows(IllegalArgumentException.class, () -> FrameSize.parse("1024*512"));
    }

    @Test
    void imageFoldersSortNaturallyAndCityscapesLabelsLiveUnderGtFine() {
        List<String> names = new ArrayList<>(List.of("frame10.png", "frame9.png", "frame100.png", "frame009b.png"));
        names.sort(ImageSequenceSource::naturalCompare);
        assertEquals(List.of("frame9.png", "frame009b.png", "frame10.png", "frame100.png"), names);

        Path image = Path.of("/data/cs/leftImg8bit_sequence/val/frankfurt/frankfurt_000000_000294_leftImg8bit.png");
        assertEquals(Path.of("/data/cs/gtFine/val/frankfurt/frankfurt_000000_000294_gtFine_labelIds.png"),
                ImageSequenceSource.labelPathFor(image));
    }

    @Test
    void aGeneratedDriveTellsItsFrameRate(@TempDir Path root) throws Exception {
        Path image = root.resolve("leftImg8bit_sequence/val/aldmoor/aldmoor_000003_000000_leftImg8bit.png");
        assertEquals(java.util.Optional.empty(), ImageSequenceSource.generatedDriveFps(image), "real Cityscapes: none");
        Path json = Files.createDirectories(root.resolve("drives/aldmoor_000003")).resolve("drive.json");
        Files.writeString(json, "{\"city\": \"aldmoor\", \"fps\": 10.0, \"frameCount\": 30}");
        assertEquals(java.util.Optional.of(10.0), ImageSequenceSource.generatedDriveFps(image));
        assertEquals("aldmoor_000003", ImageSequenceSource.sequenceName(image));
    }

    @Test
    void labelResizeIsNearestNeighbour() {
        LabelImage in = new LabelImage(4, 2, new int[] {1, 1, 2, 2, 3, 3, 4, 4});
        // each output pixel takes the source pixel under its centre: row 1 of 2, columns 1 and 3 of 4
        LabelImage half = ImageSequenceSource.resizeNearest(in, 2, 1);
        assertEquals(List.of(3, 4), List.of(half.values()[0], half.values()[1]));
        LabelImage twice = ImageSequenceSource.resizeNearest(in, 8, 4);
        assertEquals(8 * 4, twice.values().length);
        assertEquals(4, twice.get(7, 3));
        assertEquals(1, twice.get(0, 0));
    }
}
