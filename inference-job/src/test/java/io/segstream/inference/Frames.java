package io.segstream.inference;

import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Scripted frames for the job tests (and cluster-it's): a grey scene, with a red "person" box inside the corridor
 * when asked.
 */
public final class Frames {
    public static final int WIDTH = 128;
    public static final int HEIGHT = 64;
    public static final long T0 = 1_700_000_000_000L;

    private Frames() {}

    public static CameraFrame frame(String camera, long seq, boolean person) {
        return CameraFrame.newBuilder()
                .setCameraId(camera)
                .setSeq(seq)
                .setCaptureTime(Instant.ofEpochMilli(T0 + seq * 100))
                .setIngestTime(Instant.now())
                .setWidth(WIDTH)
                .setHeight(HEIGHT)
                .setEncoding(ImageEncoding.PNG)
                .setData(ByteBuffer.wrap(png(person)))
                .setAttributes(Map.of())
                .build();
    }

    public static byte[] png(boolean person) {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(128, 128, 128));
        g.fillRect(0, 0, WIDTH, HEIGHT);
        if (person) {
            // inside the corridor zone x 0.25..0.75, y 0.5..1.0 of the test rules
            g.setColor(new Color(255, 0, 0));
            g.fillRect(48, 40, 32, 16);
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
