package io.segstream.inference;

import io.segstream.connectors.kafka.AvroKafkaProducer;
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
import java.util.ArrayList;
import java.util.List;
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

    /**
     * Frames 0..{@code framesPerCamera - 1} of cam-a and cam-b, interleaved: cam-a sees a person in the corridor in
     * frames 10..19, cam-b never does (the corridor rules raise at cam-a 11 and clear at 22).
     */
    public static List<CameraFrame> scriptedDrive(int framesPerCamera) {
        List<CameraFrame> out = new ArrayList<>();
        for (int seq = 0; seq < framesPerCamera; seq++) {
            out.add(frame("cam-a", seq, seq >= 10 && seq < 20));
            out.add(frame("cam-b", seq, false));
        }
        return out;
    }

    /** Sends {@code frames} to {@code topic} and waits until the broker has them all. */
    public static void produce(String bootstrap, String topic, List<CameraFrame> frames) throws IOException {
        try (AvroKafkaProducer<CameraFrame> p = AvroKafkaProducer.builder(CameraFrame.class)
                .setBootstrapServers(bootstrap).setTopic(topic).build()) {
            for (CameraFrame f : frames) {
                p.send(f);
            }
            p.flush();
        }
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
