package io.segstream.core.labels;

import java.util.Objects;

/**
 * One Cityscapes label as the official table defines it.
 *
 * @param name         label name, e.g. {@code rail track}
 * @param id           official label id (the value in {@code *_gtFine_labelIds.png}); -1 for {@code license plate}
 * @param trainId      class id in the owning label set's training space; 255 = ignored, -1 = none
 * @param category     category name (void, flat, construction, object, nature, sky, human, vehicle)
 * @param categoryId   category id 0..7
 * @param hasInstances whether gtFine instanceIds separates instances of this label
 * @param ignoreInEval whether the evaluation ignores this label
 * @param rgb          colour in {@code *_gtFine_color.png}, packed as 0xRRGGBB
 */
public record Label(
        String name,
        int id,
        int trainId,
        String category,
        int categoryId,
        boolean hasInstances,
        boolean ignoreInEval,
        int rgb) {

    public Label {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(category, "category");
        if (id < -1 || id > 255) {
            throw new IllegalArgumentException("label '" + name + "': id " + id + " is outside -1..255");
        }
    }

    public int red() {
        return (rgb >> 16) & 0xFF;
    }

    public int green() {
        return (rgb >> 8) & 0xFF;
    }

    public int blue() {
        return rgb & 0xFF;
    }
}
