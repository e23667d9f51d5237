package io.segstream.core.datasets;

import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.RgbImage;
import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import io.segstream.core.labels.LabelSet;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import javax.imageio.ImageIO;

/**
 * One frame of a Cityscapes-layout dataset: where its image and labels lie. Pixels are read only when a
 * {@code load*} method is called.
 *
 * <pre>{@code
 * for (CityscapesSample s : CityscapesDataset.open(root).split("val")) {
 *     RgbImage image = s.loadRgb();
 *     LabelImage trainIds = s.loadClassIds(LabelSet.named("rail-20"));
 * }
 * }</pre>
 *
 * @param split       split name, e.g. {@code val} or {@code train_extra}
 * @param city        city name, the folder the files lie in
 * @param sequence    sequence number (the first number of the file name)
 * @param frame       frame number (the second number of the file name)
 * @param annotation  which annotation the label paths belong to
 * @param image       the {@code _leftImg8bit.png} (or sequence frame), when the listing has one
 * @param labelIds    the 8-bit {@code _labelIds.png}, when the listing has one
 * @param instanceIds the 16-bit {@code _instanceIds.png}, when present
 * @param color       the {@code _color.png}, when present
 */
public record CityscapesSample(
        String split,
        String city,
        int sequence,
        int frame,
        Annotation annotation,
        Optional<Path> image,
        Optional<Path> labelIds,
        Optional<Path> instanceIds,
        Optional<Path> color) {

    /** Orders samples by city, then sequence, then frame: the order every listing returns. */
    public static final Comparator<CityscapesSample> ORDER = Comparator.comparing(CityscapesSample::city)
            .thenComparingInt(CityscapesSample::sequence)
            .thenComparingInt(CityscapesSample::frame);

    private static final LabelSet OFFICIAL = LabelSet.named("cityscapes-34");

    public CityscapesSample {
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(city, "city");
        Objects.requireNonNull(annotation, "annotation");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(labelIds, "labelIds");
        Objects.requireNonNull(instanceIds, "instanceIds");
        Objects.requireNonNull(color, "color");
        if (sequence < 0 || sequence > 999_999 || frame < 0 || frame > 999_999) {
            throw new IllegalArgumentException("sequence and frame must be 0..999999, got " + sequence + ", " + frame);
        }
    }

    /** The Cityscapes id {@code {city}_{seq:06d}_{frame:06d}} that starts every file name of this frame. */
    public String id() {
        return id(city, sequence, frame);
    }

    static String id(String city, int sequence, int frame) {
        return String.format("%s_%06d_%06d", city, sequence, frame);
    }

    /** Decodes the image. */
    public BufferedImage loadImage() throws ImageFormatException {
        Path file = require(image, "image");
        try {
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new ImageFormatException(file + ": not a readable PNG image");
            }
            return img;
        } catch (IOException | RuntimeException e) {
            throw new ImageFormatException(file + ": not a readable PNG image (" + e.getMessage() + ")", e);
        }
    }

    /** Decodes the image as 8-bit RGB; grey, palette and alpha images are converted. */
    public RgbImage loadRgb() throws ImageFormatException {
        return RgbImage.of(loadImage());
    }

    /** Reads the official label ids; a pixel that holds no Cityscapes label id is an error naming the file. */
    public LabelImage loadLabelIds() throws ImageFormatException {
        Path file = require(labelIds, "labelIds image");
        LabelImage img = LabelPng.read8(file);
        int[] v = img.values();
        for (int i = 0; i < v.length; i++) {
            if (!OFFICIAL.isKnownLabelId(v[i])) {
                throw new ImageFormatException(file + ": pixel (" + (i % img.width()) + ", " + (i / img.width())
                        + ") holds label id " + v[i] + ", which is not a Cityscapes label id (0.."
                        + OFFICIAL.maxLabelId() + ")");
            }
        }
        return img;
    }

    /** Reads the labels as class ids of {@code set} (train ids; {@link LabelSet#IGNORE} for ignored labels). */
    public LabelImage loadClassIds(LabelSet set) throws ImageFormatException {
        LabelImage ids = loadLabelIds();
        // every label set knows every official id, and loadLabelIds has rejected the others
        byte[] classes = set.labelIdsToClassIds(ids.toBytes(), labelIds.orElseThrow().toString());
        return LabelImage.of8(ids.width(), ids.height(), classes);
    }

    /**
     * Reads the 16-bit instance ids: {@code labelId * 1000 + k} for instances, the plain label id elsewhere.
     * An 8-bit file is an error: its values cannot hold instance ids.
     */
    public LabelImage loadInstanceIds() throws ImageFormatException {
        Path file = require(instanceIds, "instanceIds image");
        LabelImage img = LabelPng.read16(file);
        int[] v = img.values();
        for (int i = 0; i < v.length; i++) {
            int label = v[i] < 1000 ? v[i] : v[i] / 1000;
            if (!OFFICIAL.isKnownLabelId(label)) {
                throw new ImageFormatException(file + ": pixel (" + (i % img.width()) + ", " + (i / img.width())
                        + ") holds instance id " + v[i] + ", whose label id " + label + " is not a Cityscapes label id");
            }
        }
        return img;
    }

    /** Decodes the colour annotation image. */
    public BufferedImage loadColor() throws ImageFormatException {
        Path file = require(color, "colour image");
        try {
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new ImageFormatException(file + ": not a readable PNG image");
            }
            return img;
        } catch (IOException | RuntimeException e) {
            throw new ImageFormatException(file + ": not a readable PNG image (" + e.getMessage() + ")", e);
        }
    }

    private Path require(Optional<Path> file, String what) {
        return file.orElseThrow(() -> new IllegalStateException(
                "sample " + id() + " of split " + split + " has no " + what + " in this listing"));
    }

    @Override
    public String toString() {
        return split + "/" + id();
    }
}
