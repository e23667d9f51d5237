package io.segstream.cli;

import io.segstream.core.alerts.AlertAgreement;
import io.segstream.core.alerts.AlertRules;
import io.segstream.core.alerts.LabelAlerts;
import io.segstream.core.datasets.CityscapesDataset;
import io.segstream.core.datasets.CityscapesSample;
import io.segstream.core.imaging.FrameDecoder;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.metrics.ConfusionMatrixPng;
import io.segstream.core.metrics.EvaluationReport;
import io.segstream.core.metrics.EvaluationResult;
import io.segstream.core.metrics.FolderEvaluator;
import io.segstream.core.metrics.ModelEvaluator;
import io.segstream.core.metrics.PredictionIds;
import io.segstream.core.model.BootstrapModel;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.core.progress.ProgressBar;
import io.segstream.inference.InferenceJob;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segstream eval}: scores a folder of predictions against Cityscapes ground truth with the official
 * pixel-level rules and prints the class and category tables.
 *
 * <pre>{@code
 * ./segstream eval --gt /tmp/s --pred /tmp/pred --json results.json --png confusion.png
 * ./segstream eval --gt /tmp/drive --split train --model bundled --rules railway
 * }</pre>
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Scores predictions against Cityscapes ground truth exactly as the official pixel-level evaluation does:"
                + " class and category IoU and iIoU (nIoU), plus per-class Dice, precision and recall.",
            "The prediction of a frame is the one PNG anywhere under --pred whose name starts with"
                + " {city}_{seq}_{frame}; it holds label ids, or train ids with --pred-ids train.",
            "With --model DIR instead of --pred, the ONNX model directory segments the split's images itself (as a"
                + " running job would) and its masks are scored in its own label set.",
            "With --rules, the split is read as recorded drives (each {city}_{seq} one camera, frames in order): the"
                + " rules run on the ground truth and on the predictions, and alert precision and recall say how"
                + " many predicted alerts match a ground-truth alert of the same rule and camera raised within"
                + " --alert-tolerance frames (clears likewise)."
        })
final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--gt", paramLabel = "ROOT",
            description = "Dataset root holding gtFine/{split}/ (default: $CITYSCAPES_DATASET).")
    Path groundTruth;

    /** What is scored: prediction PNGs or a model that makes them. */
    static final class Scored {
        @Option(names = "--pred", required = true, paramLabel = "DIR",
                description = "Folder searched for prediction PNGs.")
        Path predictions;

        @Option(names = "--model", required = true, paramLabel = "DIR",
                description = "ONNX model directory (model.onnx + model.json), or 'bundled' for the bundled model"
                        + " ('bundled-tta': its accurate variant), to run on the split instead of --pred.")
        Path model;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Scored scored;

    @Option(names = "--frames", paramLabel = "N", defaultValue = "0",
            description = "With --model: score the first N frames only (default: ${DEFAULT-VALUE} = all).")
    int frames;

    @Option(names = "--split", defaultValue = "val", paramLabel = "NAME",
            description = "Split of gtFine to evaluate (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the result as JSON (official field names).")
    Path json;

    @Option(names = "--png", paramLabel = "FILE", description = "Also draw the row-normalised confusion matrix as PNG.")
    Path png;

    @Option(names = "--pred-ids", defaultValue = "label", paramLabel = "label|train",
            description = "What prediction pixels hold: official label ids or train ids of the label set"
                    + " (default: ${DEFAULT-VALUE}).")
    PredictionIds predictionIds;

    @Option(names = "--label-set", defaultValue = LabelSet.DEFAULT, paramLabel = "NAME",
            description = "Label set whose ignore rules and train ids apply: cityscapes-19, cityscapes-34 or rail-20"
                    + " (rail-20 also scores rail track; default: ${DEFAULT-VALUE}); with --model the model's own.")
    String labelSet;

    @Option(names = "--rules", paramLabel = "FILE|railway|road",
            description = "Alert rules (YAML file or built-in set) to run on ground truth and predictions of drives.")
    String rules;

    @Option(names = "--alert-tolerance", paramLabel = "FRAMES", defaultValue = "5",
            description = "With --rules: how many frames apart a predicted and a ground-truth raise (or clear) may"
                    + " lie and still match (default: ${DEFAULT-VALUE}).")
    int alertTolerance;

    @Option(names = "--jpeg-quality", paramLabel = "Q", defaultValue = "0",
            description = "With --model: send every frame through JPEG at quality Q (1..100) and the segmenter's JPEG"
                    + " decoder, as camera frames reach a running job (the demo sends 90); default 0: the image as"
                    + " read.")
    int jpegQuality;

    @Option(names = "--jpeg-decoder", paramLabel = "NAME", defaultValue = FrameDecoder.AUTO,
            description = "With --jpeg-quality: the segmenter's JPEG decoder, auto (as the job: ffmpeg where it opens),"
                    + " ffmpeg or imageio (default: ${DEFAULT-VALUE}).")
    String jpegDecoder;

    @Override
    public Integer call() throws Exception {
        if (jpegQuality < 0 || jpegQuality > 100) {
            throw new IllegalArgumentException("--jpeg-quality must be 1..100, or 0 for none, got " + jpegQuality);
        }
        if (jpegQuality > 0 && scored.model == null) {
            throw new IllegalArgumentException("--jpeg-quality needs --model: predictions read from --pred were made"
                    + " already");
        }
        if (alertTolerance < 0) {
            throw new IllegalArgumentException("--alert-tolerance must be 0 or more frames, got " + alertTolerance);
        }
        AlertRules alertRules = rules == null ? null : InferenceJob.loadRules(rules);
        LabelAlerts truthAlerts = alertRules == null ? null : new LabelAlerts(alertRules);
        LabelAlerts predictedAlerts = alertRules == null ? null : new LabelAlerts(alertRules);
        FolderEvaluator.FrameListener alertFrames = alertRules == null ? FolderEvaluator.FrameListener.NONE
                : (sample, groundTruth, prediction) -> {
                    String camera = driveName(sample);
                    truthAlerts.onFrame(camera, sample.frame(), 0, groundTruth);
                    predictedAlerts.onFrame(camera, sample.frame(), 0, prediction);
                };
        Path predictions = scored.predictions;
        Path model = scored.model;
        CityscapesDataset dataset = CityscapesDataset.locate(groundTruth);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // a handful of frames needs no progress bar
        ProgressBar progress = ProgressBar.builder().setOut(err).setUnit("frames").optLabel("eval").build();
        FolderEvaluator.Progress onFrame = (done, total, frame) -> {
            if (total >= 10) {
                progress.update(done, total);
            }
        };
        EvaluationResult result;
        String scoredModel = null;
        if (model != null) {
            Path named = model;
            model = BootstrapModel.resolve(model);
            if (!model.equals(named)) {
                model.toFile().deleteOnExit();
                model.resolve(ModelDirectory.MODEL_FILE).toFile().deleteOnExit();
                model.resolve(ModelDirectory.MANIFEST_FILE).toFile().deleteOnExit();
            }
            SegmenterOptions options = SegmenterOptions.builder().optJpegDecoder(jpegDecoder).build();
            try (OnnxSegmenter seg = OnnxSegmenter.open(model, options)) {
                result = ModelEvaluator.builder().setSegmenter(seg).setGroundTruth(dataset).optSplit(split)
                        .optJpegQuality(jpegQuality)
                        .optLimit(frames).optProgress(onFrame).optFrameListener(alertFrames).build().run();
                progress.finish();
                scoredModel = seg.manifest().id();
                out.printf("Evaluated %d frame(s) of %s with model %s (%s, label set %s)%n", result.frames(),
                        dataset.root().resolve("gtFine").resolve(split), seg.manifest().id(), model,
                        seg.labelSet().name());
                if (jpegQuality > 0) {
                    out.printf("Every frame went through JPEG at quality %d and the %s decoder.%n", jpegQuality,
                            seg.jpegDecoderName());
                }
                out.println();
            }
        } else {
            LabelSet set = LabelSet.named(labelSet);
            result = FolderEvaluator.builder()
                    .setGroundTruth(dataset)
                    .setPredictions(predictions)
                    .optSplit(split)
                    .optLabelSet(set)
                    .optPredictionIds(predictionIds)
                    .optProgress(onFrame)
                    .optFrameListener(alertFrames)
                    .build()
                    .run();
            progress.finish();
            out.printf("Evaluated %d frame(s) of %s against %s (label set %s, predictions as %s ids)%n%n",
                    result.frames(), dataset.root().resolve("gtFine").resolve(split), predictions, set.name(),
                    predictionIds.name().toLowerCase(Locale.ROOT));
        }
        out.print(EvaluationReport.tables(result));
        AlertAgreement agreement = null;
        if (alertRules != null) {
            agreement = AlertAgreement.score(predictedAlerts.timeline().episodes(),
                    truthAlerts.timeline().episodes(), alertTolerance, truthAlerts.timeline().lastSeqs());
            out.println();
            out.println("Alerts of rules " + alertRules.source() + " on ground truth and predictions ("
                    + truthAlerts.timeline().lastSeqs().size() + " drive(s), each one camera):");
            agreement.summary(20).forEach(out::println);
            out.println();
            agreement.ruleTable().forEach(out::println);
        }
        if (json != null) {
            EvaluationReport.writeJson(result, scoredModel,
                    agreement == null ? Map.of() : Map.of("alerts", agreement.toMap()), json);
            out.println();
            out.println("wrote " + json);
        }
        if (png != null) {
            ConfusionMatrixPng.write(result, png);
            out.println("wrote " + png);
        }
        out.flush();
        return 0;
    }

    /** The drive a frame belongs to, {@code {city}_{seq}}, as {@code segstream scenes --sequence} names it. */
    private static String driveName(CityscapesSample sample) {
        return String.format(Locale.ROOT, "%s_%06d", sample.city(), sample.sequence());
    }
}
