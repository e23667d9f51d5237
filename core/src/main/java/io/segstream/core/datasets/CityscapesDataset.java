package io.segstream.core.datasets;

import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.PngHeader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a dataset in the official Cityscapes layout:
 * <pre>
 * leftImg8bit/{split}/{city}/{city}_{seq:06d}_{frame:06d}_leftImg8bit.png
 * leftImg8bit_sequence/{split}/{city}/{city}_{seq:06d}_{frame:06d}_leftImg8bit.png
 * gtFine/{split}/{city}/{city}_{seq:06d}_{frame:06d}_gtFine_{labelIds,instanceIds,color}.png
 * gtCoarse/{split}/{city}/{city}_{seq:06d}_{frame:06d}_gtCoarse_{labelIds,instanceIds,color}.png
 * </pre>
 * Listings are sorted by city, sequence and frame, hold immutable {@link CityscapesSample}s and decode no
 * pixels; they do check, from the PNG headers, that an image and its labels have one size and that
 * instanceIds are 16-bit. Other files (polygons JSON, labelTrainIds) are ignored.
 *
 * <pre>{@code
 * CityscapesDataset data = CityscapesDataset.locate(null);        // $CITYSCAPES_DATASET
 * List<CityscapesSample> val = data.split("val");                  // leftImg8bit + gtFine, paired
 * List<CityscapesSample> extra = data.split("train_extra", Annotation.COARSE);
 * LabelImage labels = val.get(0).loadLabelIds();
 * }</pre>
 */
public final class CityscapesDataset {
    /** Environment variable naming the dataset root, as the official Cityscapes scripts use it. */
    public static final String ENV_ROOT = "CITYSCAPES_DATASET";
    /** Folder of the annotated frames' images. */
    public static final String IMAGES = "leftImg8bit";
    /** Folder of the image sequences around the annotated frames. */
    public static final String SEQUENCES = "leftImg8bit_sequence";

    private static final String IMAGE_SUFFIX = "_leftImg8bit.png";
    private static final Pattern IMAGE_NAME = Pattern.compile("(.+)_(\\d{6})_(\\d{6})_leftImg8bit\\.png");

    private final Path root;

    private CityscapesDataset(Path root) {
        this.root = root;
    }

    /** Opens the dataset rooted at {@code root}, the folder that holds {@code leftImg8bit/} and {@code gtFine/}. */
    public static CityscapesDataset open(Path root) throws DatasetException {
        if (!Files.isDirectory(root)) {
            throw new DatasetException("Cityscapes root " + root + " does not exist or is not a folder; pass the folder"
                    + " that holds leftImg8bit/ and gtFine/");
        }
        return new CityscapesDataset(root);
    }

    /** Opens {@code explicitRoot} if given, else the folder that {@value #ENV_ROOT} names. */
    public static CityscapesDataset locate(Path explicitRoot) throws DatasetException {
        return locate(explicitRoot, System.getenv());
    }

    /** As {@link #locate(Path)}, with the environment given as a map. */
    public static CityscapesDataset locate(Path explicitRoot, Map<String, String> environment)
            throws DatasetException {
        if (explicitRoot != null) {
            return open(explicitRoot);
        }
        String env = environment.get(ENV_ROOT);
        if (env == null || env.isBlank()) {
            throw new DatasetException("no Cityscapes root given: pass its path or set " + ENV_ROOT
                    + " to the folder that holds leftImg8bit/ and gtFine/");
        }
        Path root = Path.of(env);
        if (!Files.isDirectory(root)) {
            throw new DatasetException(ENV_ROOT + " names " + root + ", which does not exist or is not a folder");
        }
        return new CityscapesDataset(root);
    }

    /** The dataset root. */
    public Path root() {
        return root;
    }

    /** The split names under {@code folder} ({@code leftImg8bit}, {@code gtFine}, ...), sorted; empty if absent. */
    public List<String> splits(String folder) throws DatasetException {
        Path dir = root.resolve(folder);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new DatasetException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The fine-annotated frames of {@code split}: every image must have its labels and every label its image. */
    public List<CityscapesSample> split(String split) throws DatasetException {
        return split(split, Annotation.FINE);
    }

    /** The frames of {@code split} annotated as {@code annotation}, images and labels strictly paired. */
    public List<CityscapesSample> split(String split, Annotation annotation) throws DatasetException {
        Map<String, Parsed> images = scanImages(IMAGES, split, true);
        Map<String, Parsed> labels = scanLabels(annotation, split, true);
        List<String> imageOnly = new ArrayList<>();
        for (String id : images.keySet()) {
            if (!labels.containsKey(id)) {
                imageOnly.add(id);
            }
        }
        if (!imageOnly.isEmpty()) {
            Parsed first = images.get(imageOnly.get(0));
            throw new DatasetException(count(imageOnly.size(), "image") + " of split " + split + " "
                    + (imageOnly.size() == 1 ? "has" : "have") + " no " + annotation.folder() + " labelIds, e.g. "
                    + first.file + " (expected " + labelPath(annotation, split, first, "labelIds") + ")");
        }
        List<String> labelOnly = new ArrayList<>();
        for (String id : labels.keySet()) {
            if (!images.containsKey(id)) {
                labelOnly.add(id);
            }
        }
        if (!labelOnly.isEmpty()) {
            Parsed first = labels.get(labelOnly.get(0));
            throw new DatasetException(count(labelOnly.size(), annotation.folder() + " label") + " of split " + split
                    + " " + (labelOnly.size() == 1 ? "has" : "have") + " no image, e.g. " + first.file + " (expected "
                    + root.resolve(IMAGES).resolve(split).resolve(first.city).resolve(first.id + IMAGE_SUFFIX) + ")");
        }
        return samples(split, annotation, images, labels);
    }

    /**
     * The labelled frames of {@code split} ({@code gtFine}), images attached where they exist: what evaluation
     * needs, since ground truth and predictions are enough to score.
     */
    public List<CityscapesSample> annotations(String split) throws DatasetException {
        return annotations(split, Annotation.FINE);
    }

    /** The frames of {@code split} that {@code annotation} labels, images attached where they exist. */
    public List<CityscapesSample> annotations(String split, Annotation annotation) throws DatasetException {
        Map<String, Parsed> labels = scanLabels(annotation, split, true);
        Map<String, Parsed> images = scanImages(IMAGES, split, false);
        images.keySet().retainAll(labels.keySet());
        return samples(split, annotation, images, labels);
    }

    /** The images of {@code split} ({@code leftImg8bit}), fine labels attached where they exist (e.g. for test). */
    public List<CityscapesSample> images(String split) throws DatasetException {
        Map<String, Parsed> images = scanImages(IMAGES, split, true);
        Map<String, Parsed> labels = scanLabels(Annotation.FINE, split, false);
        labels.keySet().retainAll(images.keySet());
        return samples(split, Annotation.FINE, images, labels);
    }

    /**
     * The frames of {@code split} in {@code leftImg8bit_sequence}, with fine labels for the frames that
     * {@code gtFine} annotates (one in thirty in Cityscapes; every frame in segstream's rendered drives).
     */
    public List<CityscapesSample> sequence(String split) throws DatasetException {
        Map<String, Parsed> images = scanImages(SEQUENCES, split, true);
        Map<String, Parsed> labels = scanLabels(Annotation.FINE, split, false);
        labels.keySet().retainAll(images.keySet());
        return samples(split, Annotation.FINE, images, labels);
    }

    private List<CityscapesSample> samples(String split, Annotation annotation, Map<String, Parsed> images,
            Map<String, Parsed> labels) throws DatasetException {
        Map<String, Parsed> all = new TreeMap<>(images);
        labels.forEach(all::putIfAbsent);
        List<CityscapesSample> out = new ArrayList<>(all.size());
        for (Map.Entry<String, Parsed> e : all.entrySet()) {
            Parsed p = e.getValue();
            Optional<Path> image = Optional.ofNullable(images.get(e.getKey())).map(i -> i.file);
            Optional<Path> labelIds = Optional.ofNullable(labels.get(e.getKey())).map(l -> l.file);
            Optional<Path> instanceIds = labelIds.map(l -> sibling(l, annotation, "instanceIds")).filter(Files::isRegularFile);
            Optional<Path> color = labelIds.map(l -> sibling(l, annotation, "color")).filter(Files::isRegularFile);
            CityscapesSample s = new CityscapesSample(split, p.city, p.sequence, p.frame, annotation, image, labelIds,
                    instanceIds, color);
            checkHeaders(s);
            out.add(s);
        }
        out.sort(CityscapesSample.ORDER);
        return Collections.unmodifiableList(out);
    }

    /** Checks sizes and bit depths from the PNG headers, so a bad file fails the listing, not a late epoch. */
    private static void checkHeaders(CityscapesSample s) throws DatasetException {
        try {
            PngHeader image = s.image().isPresent() ? PngHeader.read(s.image().get()) : null;
            PngHeader labels = null;
            if (s.labelIds().isPresent()) {
                Path file = s.labelIds().get();
                labels = PngHeader.read(file);
                if (labels.channels() != 1 || labels.bitDepth() > 8) {
                    throw new DatasetException(file + ": labelIds must be a single-channel 8-bit PNG but it has "
                            + labels.channels() + " channel(s) of " + labels.bitDepth() + " bits");
                }
                if (image != null && (image.width() != labels.width() || image.height() != labels.height())) {
                    throw new DatasetException("size mismatch: image " + s.image().get() + " is " + image.size()
                            + " but its labels " + file + " are " + labels.size());
                }
            }
            if (s.instanceIds().isPresent()) {
                Path file = s.instanceIds().get();
                PngHeader inst = PngHeader.read(file);
                if (!inst.isGrey16()) {
                    throw new DatasetException(file + ": instanceIds must be a single-channel 16-bit PNG but it has "
                            + inst.channels() + " channel(s) of " + inst.bitDepth() + " bits");
                }
                checkSameSize(labels, s.labelIds().get(), inst, file);
            }
            if (s.color().isPresent()) {
                checkSameSize(labels, s.labelIds().get(), PngHeader.read(s.color().get()), s.color().get());
            }
        } catch (ImageFormatException e) {
            throw new DatasetException(e.getMessage(), e);
        }
    }

    private static void checkSameSize(PngHeader labels, Path labelFile, PngHeader other, Path otherFile)
            throws DatasetException {
        if (labels.width() != other.width() || labels.height() != other.height()) {
            throw new DatasetException("size mismatch: " + labelFile + " is " + labels.size() + " but " + otherFile
                    + " is " + other.size());
        }
    }

    private Map<String, Parsed> scanImages(String folder, String split, boolean required) throws DatasetException {
        Path dir = splitDir(folder, split, required);
        Map<String, Parsed> out = new TreeMap<>();
        if (dir == null) {
            return out;
        }
        for (Path cityDir : list(dir)) {
            if (!Files.isDirectory(cityDir)) {
                continue;
            }
            String city = cityDir.getFileName().toString();
            for (Path file : list(cityDir)) {
                String name = file.getFileName().toString();
                if (name.endsWith(IMAGE_SUFFIX) && Files.isRegularFile(file)) {
                    Parsed p = parse(file, city, IMAGE_NAME.matcher(name), IMAGE_SUFFIX);
                    out.put(p.id, p);
                }
            }
        }
        return out;
    }

    private Map<String, Parsed> scanLabels(Annotation annotation, String split, boolean required)
            throws DatasetException {
        Path dir = splitDir(annotation.folder(), split, required);
        Map<String, Parsed> out = new TreeMap<>();
        if (dir == null) {
            return out;
        }
        String suffix = "_" + annotation.folder() + "_labelIds.png";
        Pattern pattern = Pattern.compile("(.+)_(\\d{6})_(\\d{6})" + Pattern.quote(suffix));
        for (Path cityDir : list(dir)) {
            if (!Files.isDirectory(cityDir)) {
                continue;
            }
            String city = cityDir.getFileName().toString();
            for (Path file : list(cityDir)) {
                String name = file.getFileName().toString();
                if (name.endsWith(suffix) && Files.isRegularFile(file)) {
                    Parsed p = parse(file, city, pattern.matcher(name), suffix);
                    out.put(p.id, p);
                }
            }
        }
        return out;
    }

    private Path splitDir(String folder, String split, boolean required) throws DatasetException {
        Path top = root.resolve(folder);
        Path dir = top.resolve(split);
        if (Files.isDirectory(dir)) {
            return dir;
        }
        if (!required) {
            return null;
        }
        if (!Files.isDirectory(top)) {
            throw new DatasetException(root + " has no " + folder + "/ folder; is it a Cityscapes root?");
        }
        throw new DatasetException("split '" + split + "' not found: " + dir + " does not exist (" + folder
                + "/ has " + (splits(folder).isEmpty() ? "no splits" : String.join(", ", splits(folder))) + ")");
    }

    private static Parsed parse(Path file, String city, Matcher m, String suffix) throws DatasetException {
        if (!m.matches()) {
            throw new DatasetException(file + " does not follow the Cityscapes name {city}_{seq:06d}_{frame:06d}"
                    + suffix);
        }
        if (!m.group(1).equals(city)) {
            throw new DatasetException(file + " lies in the folder of city '" + city + "' but its name says city '"
                    + m.group(1) + "'");
        }
        int sequence = Integer.parseInt(m.group(2));
        int frame = Integer.parseInt(m.group(3));
        return new Parsed(CityscapesSample.id(city, sequence, frame), city, sequence, frame, file);
    }

    private static Path sibling(Path labelIds, Annotation annotation, String kind) {
        String name = labelIds.getFileName().toString();
        String id = name.substring(0, name.length() - ("_" + annotation.folder() + "_labelIds.png").length());
        return labelIds.resolveSibling(annotation.fileName(id, kind));
    }

    private Path labelPath(Annotation annotation, String split, Parsed p, String kind) {
        return root.resolve(annotation.folder()).resolve(split).resolve(p.city).resolve(annotation.fileName(p.id, kind));
    }

    private static List<Path> list(Path dir) throws DatasetException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new DatasetException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private record Parsed(String id, String city, int sequence, int frame, Path file) {}

    @Override
    public String toString() {
        return "Cityscapes dataset at " + root;
    }
}
