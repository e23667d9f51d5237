package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import io.segstream.ingest.grab.FrameSource;
import io.segstream.ingest.grab.FrameSources;
import io.segstream.ingest.grab.GrabbedFrame;
import io.segstream.ingest.grab.ImageOptions;
import io.segstream.ingest.grab.SourceSpec;
import io.segstream.schemas.ImageEncoding;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code segstream predict} on a video, a plain folder of images and one image, with a checkpoint trained here. */
@Tag("slow")
class PredictCommandITCase {
    @TempDir
    static Path shared;
    static Path checkpoint;
    static Path video;

    @TempDir
    Path tmp;

    @BeforeAll
    static void trainACheckpointAndRenderADrive() throws Exception {
        Path data = shared.resolve("data");
        ok(CliRun.of("scenes", "--out", data.toString(), "--count", "4", "--size", "128x64", "--kind", "rail",
                "--split", "train", "--threads", "1"));
        ok(CliRun.of("scenes", "--out", data.toString(), "--count", "2", "--size", "128x64", "--kind", "rail",
                "--split", "val", "--seed", "7", "--threads", "1"));
        Path runs = shared.resolve("runs");
        ok(CliRun.of("train", "-m", "fcn", "--fcn-stride", "32", "--encoder", "mobilenetv2", "--width-multiplier",
                "0.25", "-p", data.toString(), "-t", "64x32", "-b", "2", "-e", "1", "--no-augment", "--loader-threads",
                "1", "--runs-dir", runs.toString()));
        try (Stream<Path> files = Files.walk(runs)) {
            checkpoint = files.filter(p -> p.getFileName().toString().endsWith(".zip")).findFirst().orElseThrow();
        }
        Path drive = shared.resolve("drive");
        ok(CliRun.of("scenes", "--out", drive.toString(), "--sequence", "--frames", "6", "--size", "128x64", "--kind",
                "rail", "--threads", "1"));
        video = drive.resolve("drives/aldmoor_000000/drive.mp4");
    }

    private static void ok(CliRun r) {
        assertEquals(0, r.exit(), r.out() + r.err());
    }

    private CliRun predict(Path input, Path results) {
        return CliRun.of("predict", "-w", checkpoint.toString(), "-p", input.toString(), "-r", results.toString());
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aVideoGivesOneResultPerFrameAndAnOverlayVideo() throws Exception {
        Path results = tmp.resolve("pred");
        CliRun r = predict(video, results);
        ok(r);
        List<String> frames = List.of("drive_000000.png", "drive_000001.png", "drive_000002.png", "drive_000003.png",
                "drive_000004.png", "drive_000005.png");
        for (String dir : List.of("labelIds", "color", "overlay")) {
            assertEquals(frames, names(results.resolve(dir)), dir);
        }
        LabelImage ids = LabelPng.read8(results.resolve("labelIds/drive_000003.png"));
        assertEquals(128, ids.width());
        assertEquals(64, ids.height());
        Path overlayVideo = results.resolve("drive_overlay.mp4");
        assertTrue(r.out().contains("wrote fcn predictions of 6 frames of " + video + " to " + results
                + "; overlay video " + overlayVideo), r.out());

        BufferedImage firstOverlay = ImageIO.read(results.resolve("overlay/drive_000000.png").toFile());
        int decoded = 0;
        try (FrameSource src = FrameSources.open(SourceSpec.of(overlayVideo.toString()),
                new ImageOptions(ImageEncoding.RAW_RGB24, 90, null))) {
            assertEquals(10.0, src.info().fps(), 0.01, "the drive's frame rate carries over");
            for (GrabbedFrame f; (f = src.next()) != null; decoded++) {
                assertEquals(128, f.width());
                assertEquals(64, f.height());
                if (decoded == 0) {
                    assertTrue(meanAbsoluteDifference(firstOverlay, f.data()) < 16,
                            "the video's first frame is the first overlay, up to compression");
                }
            }
        }
        assertEquals(6, decoded, "one video frame per input frame");
    }

    @Test
    void aPlainFolderOfImagesAndOneImage() throws Exception {
        Path folder = tmp.resolve("images");
        Files.createDirectories(folder);
        Random random = new Random(3);
        ImageIO.write(noise(96, 48, random), "png", folder.resolve("b.png").toFile());
        ImageIO.write(noise(96, 48, random), "jpg", folder.resolve("a.jpg").toFile());
        ImageIO.write(noise(64, 40, random), "png", folder.resolve("c.PNG").toFile());
        Files.writeString(folder.resolve("notes.txt"), "not an image");
        Path results = tmp.resolve("pred");
        CliRun r = predict(folder, results);
        ok(r);
        assertTrue(r.out().contains("wrote fcn predictions of 3 images of " + folder), r.out());
        assertEquals(List.of("a.png", "b.png", "c.PNG"), names(results.resolve("labelIds")));
        LabelImage c = LabelPng.read8(results.resolve("labelIds/c.PNG"));
        assertEquals(64, c.width(), "predictions come back at the image's size");
        assertEquals(40, c.height());

        Path single = tmp.resolve("single");
        ok(predict(folder.resolve("a.jpg"), single));
        assertEquals(List.of("a.png"), names(single.resolve("labelIds")));
    }

    @Test
    void badInputIsOneSentence() throws Exception {
        Path missing = tmp.resolve("nope.mp4");
        assertEquals("no such file or folder: " + missing, failure(predict(missing, tmp.resolve("out"))));

        Path broken = tmp.resolve("broken.mp4");
        Files.write(broken, "this is no video at all".getBytes());
        String brokenMessage = failure(predict(broken, tmp.resolve("out")));
        assertTrue(brokenMessage.startsWith(broken + " is not a readable video"), brokenMessage);

        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        assertEquals(empty + " holds no PNG or JPEG images and is not a Cityscapes root (no leftImg8bit/ or gtFine/ in"
                + " it)", failure(predict(empty, tmp.resolve("out"))));
    }

    /** The one line a failed run prints, without the command prefix. */
    private static String failure(CliRun r) {
        assertEquals(1, r.exit(), r.out() + r.err());
        List<String> lines = r.err().strip().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("segstream predict: "), lines.get(0));
        return lines.get(0).substring("segstream predict: ".length());
    }

    private static BufferedImage noise(int w, int h, Random random) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return img;
    }

    private static double meanAbsoluteDifference(BufferedImage expected, byte[] rgb) {
        long sum = 0;
        for (int i = 0; i < rgb.length / 3; i++) {
            int e = expected.getRGB(i % expected.getWidth(), i / expected.getWidth());
            sum += Math.abs((e >> 16 & 0xFF) - (rgb[3 * i] & 0xFF))
                    + Math.abs((e >> 8 & 0xFF) - (rgb[3 * i + 1] & 0xFF))
                    + Math.abs((e & 0xFF) - (rgb[3 * i + 2] & 0xFF));
        }
        return sum / (double) rgb.length;
    }
}
