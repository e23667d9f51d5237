package io.segstream.dashboard;

import io.segstream.core.masks.ClassMask;
import io.segstream.core.masks.MaskCodec;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AlertState;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.ImageEncoding;
import io.segstream.schemas.MaskEncoding;
import io.segstream.schemas.ModelRef;
import io.segstream.schemas.SegmentationMask;
import io.segstream.schemas.Severity;
import io.segstream.schemas.StageTimings;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Records for the dashboard's tests, the way the job writes them: a 64x32 PNG frame (grey, with a red box in the lower
 * middle when a person is in it), a mask of the same size (road, person where the box is), alerts and dead letters.
 */
final class Records {
    static final int WIDTH = 64;
    static final int HEIGHT = 32;
    static final long T0 = 1_700_000_000_000L;
    static final int ROAD = 0;
    static final int PERSON = 11;

    private Records() {}

    static CameraFrame frame(String camera, long seq, boolean person) {
        return CameraFrame.newBuilder().setCameraId(camera).setSeq(seq)
                .setCaptureTime(Instant.ofEpochMilli(T0 + seq * 250)).setIngestTime(Instant.ofEpochMilli(T0))
                .setWidth(WIDTH).setHeight(HEIGHT).setEncoding(ImageEncoding.PNG)
                .setData(ByteBuffer.wrap(png(person))).setAttributes(Map.of()).build();
    }

    static SegmentationMask mask(String camera, long seq, boolean person) {
        byte[] ids = new byte[WIDTH * HEIGHT];
        if (person) {
            for (int y = 20; y < 28; y++) {
                for (int x = 24; x < 40; x++) {
                    ids[y * WIDTH + x] = PERSON;
                }
            }
        }
        return SegmentationMask.newBuilder().setCameraId(camera).setSeq(seq)
                .setCaptureTime(Instant.ofEpochMilli(T0 + seq * 250))
                .setModel(ModelRef.newBuilder().setName("colour").setVersion("1").build())
                .setLabelSet("rail-20").setWidth(WIDTH).setHeight(HEIGHT).setMaskEncoding(MaskEncoding.PNG_CLASS_IDS)
                .setMask(ByteBuffer.wrap(MaskCodec.encode(new ClassMask(WIDTH, HEIGHT, ids),
                        MaskEncoding.PNG_CLASS_IDS)))
                .setClassFractions(person ? Map.of("road", 0.9375f, "person", 0.0625f) : Map.of("road", 1f))
                .setTimings(StageTimings.newBuilder().setEndToEndMs(42f).build())
                .setFrameMiou(0.5f)
                .build();
    }

    static Alert alert(String camera, long seq, String rule, AlertState state) {
        return Alert.newBuilder().setAlertId(camera + ":" + rule + ":" + seq).setCameraId(camera).setSeq(seq)
                .setRuleId(rule).setSeverity(Severity.CRITICAL).setState(state).setClasses(List.of("person"))
                .setZoneId("corridor").setAreaFraction(0.25f).setModelVersion("colour:1")
                .setCaptureTime(Instant.ofEpochMilli(T0 + seq * 250)).setMessage(rule + " on " + camera).build();
    }

    /** A clear of the alert raised at {@code raisedAt}: same id, as the job's engine gives it. */
    static Alert clear(String camera, long raisedAt, long seq, String rule) {
        Alert a = alert(camera, raisedAt, rule, AlertState.CLEARED);
        a.setSeq(seq);
        return a;
    }

    static DeadLetter deadLetter(String reason) {
        return DeadLetter.newBuilder().setSourceTopic("segstream.frames").setSourcePartition(0).setSourceOffset(7)
                .setReason(reason).setErrorClass("ImageFormatException").setStage("image").setCameraId("cam-a")
                .setSeq(7L).setPayloadSize(3).setTime(Instant.ofEpochMilli(T0)).build();
    }

    static byte[] png(boolean person) {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(128, 128, 128));
        g.fillRect(0, 0, WIDTH, HEIGHT);
        if (person) {
            g.setColor(new Color(255, 0, 0));
            g.fillRect(24, 20, 16, 8);
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
