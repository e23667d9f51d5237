package io.segstream.core.datasets;

/** The two Cityscapes annotation kinds and the folder and file-name part each uses. */
public enum Annotation {
    /** Fine polygons: {@code gtFine/{split}/{city}/{id}_gtFine_labelIds.png}. */
    FINE("gtFine"),
    /** Coarse polygons, including {@code train_extra}: {@code gtCoarse/{split}/{city}/{id}_gtCoarse_labelIds.png}. */
    COARSE("gtCoarse");

    private final String folder;

    Annotation(String folder) {
        this.folder = folder;
    }

    /** The top-level folder and file-name part: {@code gtFine} or {@code gtCoarse}. */
    public String folder() {
        return folder;
    }

    /** File name of an annotation of {@code kind} ({@code labelIds}, {@code instanceIds}, {@code color}). */
    String fileName(String sampleId, String kind) {
        return sampleId + "_" + folder + "_" + kind + ".png";
    }
}
