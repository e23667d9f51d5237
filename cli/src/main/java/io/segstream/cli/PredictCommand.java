package io.segstream.cli;

import io.segstream.core.datasets.CityscapesDataset;
import io.segstream.core.datasets.CityscapesSample;
import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.RgbImage;
import io.segstream.ingest.grab.FrameSource;
import io.segstream.ingest.grab.FrameSources;
import io.segstream.ingest.grab.GrabbedFrame;
import io.segstream.ingest.grab.ImageOptions;
import io.segstream.ingest.grab.SourceKind;
import io.segstream.ingest.grab.SourceSpec;
import io.segstream.ingest.video.DriveVideoWriter;
import io.segstream.schemas.ImageEncoding;
import io.segstream.training.data.TrainingSample;
import io.segstream.training.run.PredictionWriter;
import io.segstream.training.run.Predictor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segstream predict}: segments a dataset split, a folder of images, one image or a video with a trained
 * checkpoint and writes Cityscapes result folders that {@code segstream eval} and the official evaluation read as
 * they are; for a video also an overlay MP4.
 *
 * <pre>{@code
 * ./segstream predict -m fastscnn -w runs/.../checkpoints/epoch-003_....zip -p /tmp/scenes -r /tmp/pred
 * ./segstream predict -w runs/.../checkpoints/epoch-003_....zip -p drive.mp4 -r /tmp/pred-video
 * }</pre>
 */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Segments the images of a Cityscapes-layout split, a folder of PNG/JPEG images, one image or a video file"
                + " with a trained checkpoint and writes RESULTS/labelIds/ (official label ids), RESULTS/color/,"
                + " RESULTS/overlay/ and, for bayes_segnet, RESULTS/uncertainty/, keeping the input file names.",
            "A video's frames are named {video}_{frame:06d}.png, and RESULTS/{video}_overlay.mp4 holds the overlays"
                + " at the video's frame rate."
        })
final class PredictCommand implements Callable<Integer> {
    /** The frame rate of the overlay video when the input does not state one. */
    private static final double DEFAULT_FPS = 10;

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "Model name; checked against the checkpoint's (optional).")
    String model;

    @Option(names = {"-w", "--weights"}, required = true, paramLabel = "CHECKPOINT", description = "Checkpoint zip.")
    Path weights;

    @Option(names = {"-p", "--path"}, paramLabel = "ROOT|DIR|IMAGE|VIDEO",
            description = "Dataset root (default $CITYSCAPES_DATASET), a folder of PNG/JPEG images, one image, or a"
                    + " video file (MP4, MKV, AVI... anything FFmpeg decodes).")
    Path path;

    @Option(names = {"-r", "--results-path"}, required = true, paramLabel = "RESULTS", description = "Output folder.")
    Path results;

    @Option(names = "--split", defaultValue = "val", description = "Split to segment (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = {"-t", "--target-size"}, paramLabel = "WxH", description = "Model input size (default: the training size).")
    String targetSize;

    @Option(names = "--mc-samples", defaultValue = "8",
            description = "Monte-Carlo dropout passes for bayes_segnet (default: ${DEFAULT-VALUE}; 1 = off).")
    int mcSamples;

    @Option(names = {"-c", "--coarse"}, description = "Accepted for compatibility with the seeds' predict.py; no effect.")
    boolean coarse;

    @Override
    public Integer call() throws Exception {
        int[] size = targetSize == null ? new int[] {0, 0} : Sizes.parse(targetSize, "--target-size");
        if (path != null && !Files.exists(path)) {
            throw new IllegalArgumentException("no such file or folder: " + path);
        }
        Predictor predictor = Predictor.load(weights, size[0], size[1], mcSamples);
        if (model != null && !model.equalsIgnoreCase(predictor.config().model())) {
            throw new IllegalArgumentException("checkpoint " + weights.getFileName() + " holds a "
                    + predictor.config().model() + " model, not " + model);
        }
        PredictionWriter writer = new PredictionWriter(results, predictor.labelSet());
        PrintWriter out = spec.commandLine().getOut();
        if (path != null && Files.isRegularFile(path)) {
            String name = path.getFileName().toString();
            if (isImage(name)) {
                TrainingSample image = readImage(path);
                writer.write(pngName(name), image, predictor.predict(image));
                out.printf(Locale.ROOT, "wrote %s predictions of 1 image to %s%n", predictor.config().model(), results);
                return 0;
            }
            return predictVideo(predictor, writer, out);
        }
        if (path != null && isPlainFolder(path)) {
            return predictFolder(predictor, writer, out);
        }
        List<CityscapesSample> frames = CityscapesDataset.locate(path).images(split);
        int done = 0;
        for (CityscapesSample frame : frames) {
            RgbImage rgb = frame.loadRgb();
            TrainingSample image = new TrainingSample(frame.id(), rgb.width(), rgb.height(), rgb.toRgbBytes(),
                    new byte[rgb.width() * rgb.height()]);
            String name = frame.image().map(p -> p.getFileName().toString()).orElse(frame.id() + "_leftImg8bit.png");
            writer.write(name, image, predictor.predict(image));
            progress(++done, frames.size(), "images");
        }
        spec.commandLine().getErr().println();
        out.printf(Locale.ROOT, "wrote %s predictions of %d images of split %s to %s%s%n", predictor.config().model(),
                frames.size(), split, results, predictor.monteCarlo() ? " (with uncertainty)" : "");
        return 0;
    }

    /** Every PNG/JPEG of a folder that is not a Cityscapes root, in name order. */
    private int predictFolder(Predictor predictor, PredictionWriter writer, PrintWriter out)
            throws IOException, ImageFormatException {
        List<Path> images;
        try (Stream<Path> list = Files.list(path)) {
            images = list.filter(p -> Files.isRegularFile(p) && isImage(p.getFileName().toString())).sorted().toList();
        }
        if (images.isEmpty()) {
            throw new IllegalArgumentException(path + " holds no PNG or JPEG images and is not a Cityscapes root"
                    + " (no leftImg8bit/ or gtFine/ in it)");
        }
        int done = 0;
        for (Path file : images) {
            TrainingSample image = readImage(file);
            writer.write(pngName(file.getFileName().toString()), image, predictor.predict(image));
            progress(++done, images.size(), "images");
        }
        spec.commandLine().getErr().println();
        out.printf(Locale.ROOT, "wrote %s predictions of %d images of %s to %s%n", predictor.config().model(),
                images.size(), path, results);
        return 0;
    }

    /**
     * Decodes the video through ingest's frame sources, writes every frame's result PNGs and the overlays as an MP4
     * (H.264 where the FFmpeg build has it; 4:2:0 video needs even sizes, so an odd last column or row is left out).
     */
    private int predictVideo(Predictor predictor, PredictionWriter writer, PrintWriter out) throws Exception {
        String stem = path.getFileName().toString().replaceFirst("\\.[^.]+$", "");
        SourceSpec source = SourceSpec.builder().setLocation(path.toString()).optKind(SourceKind.FILE).build();
        Path video = results.resolve(stem + "_overlay.mp4");
        int frames = 0;
        try (FrameSource frameSource = FrameSources.open(source, new ImageOptions(ImageEncoding.RAW_RGB24, 90, null))) {
            double fps = frameSource.info().fps() > 0 ? frameSource.info().fps() : DEFAULT_FPS;
            long expected = frameSource.info().frameCount();
            DriveVideoWriter overlays = null;
            try {
                for (GrabbedFrame f; (f = frameSource.next()) != null; frames++) {
                    String name = String.format(Locale.ROOT, "%s_%06d.png", stem, frames);
                    TrainingSample image = new TrainingSample(stem + "_" + frames, f.width(), f.height(), f.data(),
                            new byte[f.width() * f.height()]);
                    BufferedImage overlay = writer.write(name, image, predictor.predict(image));
                    if (overlays == null) {
                        overlays = DriveVideoWriter.open(video, f.width() & ~1, f.height() & ~1, fps);
                    }
                    overlays.write(evenCrop(overlay));
                    progress(frames + 1, expected, "frames");
                }
            } finally {
                if (overlays != null) {
                    overlays.close();
                }
            }
            spec.commandLine().getErr().println();
            if (overlays == null) {
                throw new IllegalArgumentException(path + " holds no video frames");
            }
            out.printf(Locale.ROOT, "wrote %s predictions of %d frames of %s to %s; overlay video %s (%s, %s fps)%n",
                    predictor.config().model(), frames, path, results, video, overlays.codec(), fpsText(fps));
        }
        return 0;
    }

    /** The pixels of {@code img} without an odd last column or row. */
    private static int[] evenCrop(BufferedImage img) {
        int w = img.getWidth() & ~1;
        int h = img.getHeight() & ~1;
        return img.getRGB(0, 0, w, h, null, 0, w);
    }

    private static String fpsText(double fps) {
        return fps == Math.rint(fps) ? String.valueOf((long) fps) : String.format(Locale.ROOT, "%.2f", fps);
    }

    private void progress(int done, long total, String unit) {
        PrintWriter err = spec.commandLine().getErr();
        err.printf(Locale.ROOT, "\rpredict: %d%s %s", done, total > 0 ? "/" + total : "", unit);
        err.flush();
    }

    private static boolean isImage(String fileName) {
        return fileName.matches("(?i).+\\.(png|jpe?g)");
    }

    private static String pngName(String fileName) {
        return fileName.replaceAll("(?i)\\.(jpe?g)$", ".png");
    }

    /** A folder that is not a Cityscapes root: it has neither images nor labels in the Cityscapes layout. */
    private static boolean isPlainFolder(Path dir) {
        return Files.isDirectory(dir) && !Files.isDirectory(dir.resolve(CityscapesDataset.IMAGES))
                && !Files.isDirectory(dir.resolve(CityscapesDataset.SEQUENCES))
                && !Files.isDirectory(dir.resolve("gtFine"));
    }

    private static TrainingSample readImage(Path file) throws IOException, ImageFormatException {
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new ImageFormatException(file + ": not a readable image");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        byte[] rgb = new byte[3 * w * h];
        for (int i = 0; i < argb.length; i++) {
            rgb[3 * i] = (byte) (argb[i] >> 16);
            rgb[3 * i + 1] = (byte) (argb[i] >> 8);
            rgb[3 * i + 2] = (byte) argb[i];
        }
        String id = file.getFileName().toString().replaceAll("(_leftImg8bit)?\\.[^.]+$", "");
        return new TrainingSample(id, w, h, rgb, new byte[w * h]);
    }
}
