package io.segstream.core.datasets;

import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import io.segstream.core.labels.LabelSet;
import java.io.IOException;
import java.nio.file.Path;

/** Writes tiny Cityscapes-layout files for tests. */
public final class TinyCityscapes {
    private final Path root;

    public TinyCityscapes(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** Writes {@code leftImg8bit/{split}/{city}/..._leftImg8bit.png} (or a sequence frame) of a colour gradient. */
    public Path image(String folder, String split, String city, int seq, int frame, int width, int height)
            throws IOException {
        int[] rgb = new int[width * height];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (i * 40 % 256) << 16 | (i * 7 % 256) << 8 | (frame % 256);
        }
        Path file = root.resolve(folder).resolve(split).resolve(city)
                .resolve(String.format("%s_%06d_%06d_leftImg8bit.png", city, seq, frame));
        LabelPng.writeRgb(width, height, rgb, file);
        return file;
    }

    /** Writes the labelIds, instanceIds (16-bit) and colour annotation of one frame; instances may be null. */
    public Path labels(String annotation, String split, String city, int seq, int frame, LabelImage labelIds,
            LabelImage instanceIds) throws IOException {
        Path dir = root.resolve(annotation).resolve(split).resolve(city);
        String id = String.format("%s_%06d_%06d_%s_", city, seq, frame, annotation);
        Path labelFile = dir.resolve(id + "labelIds.png");
        LabelPng.write8(labelIds, labelFile);
        if (instanceIds != null) {
            LabelPng.write16(instanceIds, dir.resolve(id + "instanceIds.png"));
        }
        int[] colours = LabelSet.named("cityscapes-34").labelIdsToColors(labelIds.toBytes(), labelFile.toString());
        LabelPng.writeRgb(labelIds.width(), labelIds.height(), colours, dir.resolve(id + "color.png"));
        return labelFile;
    }

    /** A frame of gtFine labels whose instanceIds repeat the label ids (no instances). */
    public Path fineLabels(String split, String city, int seq, int frame, LabelImage labelIds) throws IOException {
        return labels("gtFine", split, city, seq, frame, labelIds, labelIds);
    }

    /** A width x height image of one label id. */
    public static LabelImage filled(int width, int height, int labelId) {
        int[] v = new int[width * height];
        java.util.Arrays.fill(v, labelId);
        return new LabelImage(width, height, v);
    }
}
