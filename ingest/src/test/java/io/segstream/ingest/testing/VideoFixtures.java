package io.segstream.ingest.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Makes test recordings with Debian's ffmpeg (installed by {@code .ci/run}) and test images with ImageIO: small
 * (160x120) so that the tests stay quick.
 */
public final class VideoFixtures {
    public static final int WIDTH = 160;
    public static final int HEIGHT = 120;
    public static final int FPS = 20;

    private VideoFixtures() {}

    /**
     * Renders {@code frames} frames of ffmpeg's {@code testsrc2} at 20 fps into {@code dir/name} with the given
     * codec arguments, e.g. {@code "-c:v", "libx264", "-pix_fmt", "yuv420p"}.
     */
    public static Path video(Path dir, String name, int frames, String... codecArgs) throws IOException,
            InterruptedException {
        Path out = dir.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                "testsrc2=size=" + WIDTH + "x" + HEIGHT + ":rate=" + FPS, "-frames:v", Integer.toString(frames)));
        cmd.addAll(List.of(codecArgs));
        cmd.add(out.toString());
        run(cmd);
        return out;
    }

    /** Runs ffmpeg (or another tool) and fails the test with its output when it fails. */
    public static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run " + cmd.get(0) + " (Debian's ffmpeg; .ci/run installs it): "
                    + e.getMessage(), e);
        }
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish within 120 s");
        }
        assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + " failed: " + new String(output));
    }

    /** Keeps the first {@code fraction} of a file's bytes, as a recording cut off mid-write. */
    public static void truncate(Path file, double fraction) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength((long) (raf.length() * fraction));
        }
    }

    /** A coloured test picture with the frame number drawn in, as JPEG bytes. */
    public static byte[] jpeg(int frame, int width, int height) throws IOException {
        BufferedImage img = picture(frame, width, height);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpeg", out);
        return out.toByteArray();
    }

    static BufferedImage picture(int frame, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.getHSBColor((frame % 36) / 36f, 0.8f, 0.9f));
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.fillRect(10 + (frame * 7) % Math.max(1, width - 40), height / 2 - 10, 30, 20);
        g.drawString("frame " + frame, 5, 15);
        g.dispose();
        return img;
    }

    /**
     * Writes a Cityscapes {@code leftImg8bit_sequence} drive of {@code frames} PNGs under {@code root}, with gtFine
     * labelIds for every frame whose index is in {@code labelled}. Returns the image paths in order.
     */
    public static List<Path> cityscapesSequence(Path root, String city, int frames, java.util.Set<Integer> labelled)
            throws IOException {
        Path images = root.resolve("leftImg8bit_sequence/val").resolve(city);
        Path labels = root.resolve("gtFine/val").resolve(city);
        Files.createDirectories(images);
        Files.createDirectories(labels);
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            String stem = String.format("%s_000001_%06d", city, 100 + i);
            Path png = images.resolve(stem + "_leftImg8bit.png");
            ImageIO.write(picture(i, WIDTH, HEIGHT), "png", png.toFile());
            out.add(png);
            if (labelled.contains(i)) {
                LabelPng.write8(labelImage(i, WIDTH, HEIGHT), labels.resolve(stem + "_gtFine_labelIds.png"));
            }
        }
        return out;
    }

    /** A label image: road (7) below a frame-dependent row, sky (23) above. */
    public static LabelImage labelImage(int frame, int width, int height) {
        int[] v = new int[width * height];
        int horizon = height / 3 + frame % 10;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                v[y * width + x] = y < horizon ? 23 : 7;
            }
        }
        return new LabelImage(width, height, v);
    }
}
