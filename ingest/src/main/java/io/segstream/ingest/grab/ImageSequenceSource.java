package io.segstream.ingest.grab;

import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import io.segstream.ingest.grab.SourceException.Reason;
import io.segstream.schemas.ImageEncoding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * A folder of still images played as a video: the Cityscapes {@code leftImg8bit_sequence} layout, with each frame's
 * {@code gtFine} labelIds PNG attached as ground truth when it exists, or a plain folder of images in name order.
 *
 * <p>Cityscapes layout: {@code ROOT/leftImg8bit_sequence/{split}/{city}/{city}_{seq}_{frame}_leftImg8bit.png} with
 * labels at {@code ROOT/gtFine/{split}/{city}/{city}_{seq}_{frame}_gtFine_labelIds.png}. The location may be the root,
 * the {@code leftImg8bit_sequence} folder, a split or a city folder. Frame {@code i} has media time {@code i / fps}.
 */
final class ImageSequenceSource implements FrameSource {
    private static final String SEQUENCE_DIR = "leftImg8bit_sequence";
    private static final String IMAGE_SUFFIX = "_leftImg8bit.png";
    private static final String LABEL_SUFFIX = "_gtFine_labelIds.png";
    private static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "tif", "tiff", "webp");

    private final SourceSpec spec;
    private final ImageOptions options;
    private final List<Path> images;
    private final boolean cityscapes;
    private final double fps;
    private final ImageEncoder encoder;
    private final SourceInfo info;
    private int index;
    private boolean closed;

    private ImageSequenceSource(SourceSpec spec, ImageOptions options, List<Path> images, boolean cityscapes,
            FrameSize firstSize) {
        this.spec = spec;
        this.options = options;
        this.images = images;
        this.cityscapes = cityscapes;
        this.fps = spec.sequenceFps() == 0 && cityscapes
                ? generatedDriveFps(images.get(0)).orElse(SourceSpec.CITYSCAPES_SEQUENCE_FPS)
                : spec.effectiveSequenceFps(cityscapes);
        this.encoder = new ImageEncoder(options);
        FrameSize out = options.optResize().orElse(firstSize);
        long duration = Math.round(images.size() * 1e6 / fps);
        this.info = new SourceInfo(spec.displayName(), cityscapes ? "cityscapes-sequence" : "image-folder", "images",
                out.width(), out.height(), fps, duration, images.size(), null,
                cityscapes ? sequenceName(images.get(0)) : spec.baseName());
    }

    /** Lists the images of the folder; fails when there are none. */
    static ImageSequenceSource open(SourceSpec spec, ImageOptions options) throws SourceException {
        Path dir = Path.of(spec.location());
        if (!Files.isDirectory(dir)) {
            throw new SourceException(Reason.UNREADABLE, "no such image folder: " + spec.location(), 0);
        }
        Path root = dir.resolve(SEQUENCE_DIR);
        boolean cityscapes = Files.isDirectory(root) || inSequenceTree(dir);
        List<Path> images;
        try {
            images = cityscapes ? listCityscapes(Files.isDirectory(root) ? root : dir) : listPlain(dir);
        } catch (IOException | UncheckedIOException e) {
            throw new SourceException(Reason.UNREADABLE, "cannot list the images in " + dir + ": " + e.getMessage(),
                    0, e);
        }
        if (images.isEmpty()) {
            throw new SourceException(Reason.UNREADABLE, "no images in " + dir + (cityscapes
                    ? " (expected *" + IMAGE_SUFFIX + " files under " + SEQUENCE_DIR + "/)"
                    : " (expected .png or .jpg files)"), 0);
        }
        FrameSize first = probeSize(images.get(0));
        return new ImageSequenceSource(spec, options, images, cityscapes, first);
    }

    private static boolean inSequenceTree(Path dir) {
        for (Path part : dir.toAbsolutePath().normalize()) {
            if (part.toString().equals(SEQUENCE_DIR)) {
                return true;
            }
        }
        return false;
    }

    private static List<Path> listCityscapes(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(IMAGE_SUFFIX) && Files.isRegularFile(p))
                    .sorted(Comparator.comparing(Path::toString))
                    .toList();
        }
    }

    private static List<Path> listPlain(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p) && IMAGE_EXTENSIONS.contains(extension(p)))
                    .sorted((a, b) -> naturalCompare(a.getFileName().toString(), b.getFileName().toString()))
                    .toList();
        }
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** Orders "frame9.png" before "frame10.png": digit runs compare as numbers. */
    static int naturalCompare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                String na = a.substring(si, i).replaceFirst("^0+(?=.)", "");
                String nb = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                if (c != 0) {
                    return c;
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static FrameSize probeSize(Path image) throws SourceException {
        try (FFmpegFrameGrabber g = GrabberFactory.image(image, ImageEncoder.inputPixelFormat(ImageEncoding.PNG))) {
            FfmpegLog.clearLastError();
            g.start();
            return new FrameSize(g.getImageWidth(), g.getImageHeight());
        } catch (FrameGrabber.Exception | IllegalArgumentException e) {
            throw new SourceException(Reason.UNREADABLE, image + " is not a readable image: " + detail(e), 0, e);
        }
    }

    private static String detail(Exception e) {
        String d = FfmpegLog.lastErrorOnThisThread();
        return d != null ? d : e.getMessage();
    }

    /**
     * The frame rate of a drive rendered by {@code segstream scenes --sequence}: its {@code drive.json} sits at
     * {@code ROOT/drives/{city}_{seq}/drive.json}. Real Cityscapes sequences have none and play at 17 Hz.
     */
    static java.util.Optional<Double> generatedDriveFps(Path firstImage) {
        Path abs = firstImage.toAbsolutePath().normalize();
        Path root = null;
        for (Path p = abs.getParent(); p != null; p = p.getParent()) {
            if (p.getFileName() != null && p.getFileName().toString().equals(SEQUENCE_DIR)) {
                root = p.getParent();
                break;
            }
        }
        if (root == null) {
            return java.util.Optional.empty();
        }
        Path json = root.resolve("drives").resolve(sequenceName(abs)).resolve("drive.json");
        if (!Files.isRegularFile(json)) {
            return java.util.Optional.empty();
        }
        try {
            double fps = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile())
                    .path("fps").asDouble(0);
            return fps > 0 ? java.util.Optional.of(fps) : java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** {@code city_seq} of a Cityscapes image name {@code city_seq_frame_leftImg8bit.png}. */
    static String sequenceName(Path image) {
        String[] parts = image.getFileName().toString().split("_");
        return parts.length >= 3 ? parts[0] + "_" + parts[1] : image.getFileName().toString();
    }

    /** The gtFine labelIds PNG that belongs to a Cityscapes sequence image, whether or not it exists. */
    static Path labelPathFor(Path image) {
        Path abs = image.toAbsolutePath().normalize();
        Path out = abs.getRoot();
        boolean replaced = false;
        for (Path part : abs.getParent()) {
            String name = part.toString();
            if (!replaced && (name.equals(SEQUENCE_DIR) || name.equals("leftImg8bit"))) {
                name = "gtFine";
                replaced = true;
            }
            out = out.resolve(name);
        }
        String file = abs.getFileName().toString();
        return out.resolve(file.substring(0, file.length() - IMAGE_SUFFIX.length()) + LABEL_SUFFIX);
    }

    @Override
    public SourceInfo info() {
        return info;
    }

    @Override
    public GrabbedFrame next() throws SourceException {
        if (closed) {
            throw new IllegalStateException("the source " + spec.displayName() + " is closed");
        }
        if (index >= images.size()) {
            return null;
        }
        Path image = images.get(index);
        long mediaTime = Math.round(index * 1e6 / fps);
        byte[] data;
        int width;
        int height;
        try (FFmpegFrameGrabber g = GrabberFactory.image(image, ImageEncoder.inputPixelFormat(options.encoding()))) {
            FfmpegLog.clearLastError();
            g.start();
            options.optResize().ifPresent(s -> {
                g.setImageWidth(s.width());
                g.setImageHeight(s.height());
            });
            Frame f = g.grabImage();
            if (f == null || !(f.opaque instanceof AVFrame picture)) {
                throw new SourceException(Reason.DAMAGED, image + " holds no decodable image (frame " + index
                        + " of " + images.size() + ")", index);
            }
            width = picture.width();
            height = picture.height();
            data = encoder.encode(picture);
        } catch (FrameGrabber.Exception e) {
            throw new SourceException(Reason.DAMAGED, image + " is not a readable image (frame " + index + " of "
                    + images.size() + "): " + detail(e), index, e);
        }
        byte[] labels = cityscapes ? labelsFor(image, width, height) : null;
        index++;
        return new GrabbedFrame(mediaTime, width, height, options.encoding(), data, labels,
                image.getFileName().toString());
    }

    private byte[] labelsFor(Path image, int width, int height) throws SourceException {
        Path labelFile = labelPathFor(image);
        if (!Files.isRegularFile(labelFile)) {
            return null;
        }
        try {
            byte[] png = Files.readAllBytes(labelFile);
            LabelImage labels = LabelPng.read8(png, labelFile.toString());
            if (labels.width() == width && labels.height() == height) {
                return png;
            }
            if (options.resize() == null) {
                throw new SourceException(Reason.DAMAGED, labelFile + " is " + labels.size() + " but its image "
                        + image.getFileName() + " is " + width + "x" + height, index);
            }
            return LabelPng.encode8(resizeNearest(labels, width, height));
        } catch (IOException e) {
            throw new SourceException(Reason.DAMAGED, "cannot read labels " + labelFile + ": " + e.getMessage(),
                    index, e);
        } catch (ImageFormatException e) {
            throw new SourceException(Reason.DAMAGED, e.getMessage(), index, e);
        }
    }

    /** Nearest-neighbour resize: label ids must never be blended. */
    static LabelImage resizeNearest(LabelImage in, int width, int height) {
        int[] out = new int[width * height];
        for (int y = 0; y < height; y++) {
            int sy = Math.min(in.height() - 1, (int) ((y + 0.5) * in.height() / height));
            for (int x = 0; x < width; x++) {
                int sx = Math.min(in.width() - 1, (int) ((x + 0.5) * in.width() / width));
                out[y * width + x] = in.get(sx, sy);
            }
        }
        return new LabelImage(width, height, out);
    }

    @Override
    public void seek(long mediaTimeMicros) {
        index = (int) Math.max(0, Math.min(images.size(), Math.ceil(mediaTimeMicros * fps / 1e6 - 1e-9)));
    }

    @Override
    public long corruptFrames() {
        return 0;
    }

    @Override
    public long decodeErrors() {
        return 0;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            encoder.close();
        }
    }

}
