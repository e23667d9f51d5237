package io.segstream.ingest.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.scenes.DriveGenerator;
import io.segstream.core.scenes.Scene;
import io.segstream.core.scenes.SceneKind;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encodes a rendered drive with the real FFmpeg encoder and decodes it back with FFmpeg. */
class DriveVideoWriterITCase {
    private static final int W = 160;
    private static final int H = 96;
    private static final int FRAMES = 12;

    @TempDir
    Path tmp;

    private static DriveGenerator drive() {
        return DriveGenerator.builder().setSize(W, H).setFrames(FRAMES).optKind(SceneKind.RAIL).optSeed(5).build();
    }

    private static Scene[] write(DriveGenerator d, Path file) throws Exception {
        Scene[] frames = new Scene[d.frames()];
        try (DriveVideoWriter video = DriveVideoWriter.open(file, W, H, d.fps())) {
            assertEquals(DriveVideoWriter.H264_ENCODER, video.codec());
            for (int f = 0; f < d.frames(); f++) {
                frames[f] = d.render(f);
                video.write(frames[f].rgb());
            }
            assertEquals(FRAMES, video.framesWritten());
        }
        return frames;
    }

    @Test
    void theBytedecoBuildEncodesH264WithOpenH264() {
        assertEquals("libopenh264", DriveVideoWriter.h264Encoder());
    }

    @Test
    void aDriveEncodesToAnH264Mp4ThatDecodesToTheSameFrames() throws Exception {
        Path mp4 = tmp.resolve("drive.mp4");
        Scene[] frames = write(drive(), mp4);
        int decoded = 0;
        double worst = 0;
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(mp4.toFile());
                Java2DFrameConverter conv = new Java2DFrameConverter()) {
            grabber.start();
            assertEquals("h264", grabber.getVideoCodecName());
            assertEquals(W, grabber.getImageWidth());
            assertEquals(H, grabber.getImageHeight());
            Frame frame;
            while ((frame = grabber.grabImage()) != null) {
                BufferedImage img = conv.convert(frame);
                worst = Math.max(worst, meanError(frames[decoded].rgb(), img));
                decoded++;
            }
            grabber.stop();
        }
        assertEquals(FRAMES, decoded);
        assertTrue(worst < 20, "decoded frames match the rendered ones in colour order and content, mean error " + worst);
    }

    /** Mean absolute difference per channel between packed RGB pixels and a decoded image. */
    private static double meanError(int[] rgb, BufferedImage img) {
        long sum = 0;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int a = rgb[y * W + x];
                int b = img.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    sum += Math.abs(((a >> shift) & 0xFF) - ((b >> shift) & 0xFF));
                }
            }
        }
        return sum / (3.0 * W * H);
    }

    @Test
    void theSameDriveEncodesToTheSameBytes() throws Exception {
        Path a = tmp.resolve("a.mp4");
        Path b = tmp.resolve("b.mp4");
        write(drive(), a);
        write(drive(), b);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    @Test
    void oddSizesAndWrongFramesAreRefused() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DriveVideoWriter.open(tmp.resolve("x.mp4"), 161, 96, 10));
        assertTrue(e.getMessage().endsWith("a video needs an even, positive width and height, got 161x96"),
                e.getMessage());
        try (DriveVideoWriter video = DriveVideoWriter.open(tmp.resolve("y.mp4"), W, H, 10)) {
            e = assertThrows(IllegalArgumentException.class, () -> video.write(new int[10]));
            assertTrue(e.getMessage().endsWith("frame 0 has 10 pixels but the video is 160x96"), e.getMessage());
        }
    }
}
