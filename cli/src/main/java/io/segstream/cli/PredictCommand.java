package io.segstream.cli;

import io.segstream.core.datasets.CityscapesDataset;
import io.segstream.core.datasets.CityscapesSample;
import io.segstream.core.imaging.RgbImage;
import io.segstream.core.imaging.ImageFormatException;
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
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segstream predict}: segments a dataset split or one image with a trained checkpoint and writes Cityscapes
 * result folders that {@code segstream eval} and the official evaluation read as they are.
 *
 * <pre>{@code ./segstream predict -m fastscnn -w runs/.../checkpoints/epoch-003_....zip -p /tmp/scenes -r /tmp/pred}</pre>
 */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Segments the images of a Cityscapes-layout split (or one image file) with a trained checkpoint and writes"
                + " RESULTS/labelIds/ (official label ids), RESULTS/color/, RESULTS/overlay/ and, for bayes_segnet,"
                + " RESULTS/uncertainty/, keeping the input file names."
        })
final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "Model name; checked against the checkpoint's (optional).")
    String model;

    @Option(names = {"-w", "--weights"}, required = true, paramLabel = "CHECKPOINT", description = "Checkpoint zip.")
    Path weights;

    @Option(names = {"-p", "--path"}, paramLabel = "ROOT|IMAGE",
            description = "Dataset root (default $CITYSCAPES_DATASET) or one PNG/JPEG image.")
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
        Predictor predictor = Predictor.load(weights, size[0], size[1], mcSamples);
        if (model != null && !model.equalsIgnoreCase(predictor.config().model())) {
            throw new IllegalArgumentException("checkpoint " + weights.getFileName() + " holds a "
                    + predictor.config().model() + " model, not " + model);
        }
        PredictionWriter writer = new PredictionWriter(results, predictor.labelSet());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (path != null && Files.isRegularFile(path)) {
            String name = path.getFileName().toString();
            if (!name.matches("(?i).+\\.(png|jpe?g)")) {
                throw new IllegalArgumentException(path + ": predict reads PNG or JPEG images or a dataset root;"
                        + " for video, replay it through 'segstream ingest' and the inference job");
            }
            TrainingSample image = readImage(path);
            writer.write(name.replaceAll("(?i)\\.(jpe?g)$", ".png"), image, predictor.predict(image));
            out.printf(Locale.ROOT, "wrote %s predictions of 1 image to %s%n", predictor.config().model(), results);
            return 0;
        }
        List<CityscapesSample> frames = CityscapesDataset.locate(path).images(split);
        int done = 0;
        for (CityscapesSample frame : frames) {
            RgbImage rgb = frame.loadRgb();
            TrainingSample image = new TrainingSample(frame.id(), rgb.width(), rgb.height(), rgb.toRgbBytes(),
                    new byte[rgb.width() * rgb.height()]);
            String name = frame.image().map(p -> p.getFileName().toString()).orElse(frame.id() + "_leftImg8bit.png");
            writer.write(name, image, predictor.predict(image));
            err.printf(Locale.ROOT, "\rpredict: %d/%d images", ++done, frames.size());
            err.flush();
        }
        err.println();
        out.printf(Locale.ROOT, "wrote %s predictions of %d images of split %s to %s%s%n", predictor.config().model(),
                frames.size(), split, results, predictor.monteCarlo() ? " (with uncertainty)" : "");
        return 0;
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
