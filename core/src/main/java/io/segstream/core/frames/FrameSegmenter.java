package io.segstream.core.frames;

import io.segstream.core.alerts.AlertRules;
import io.segstream.core.alerts.Polygon;
import io.segstream.core.alerts.ZoneMasks;
import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.masks.MaskCodec;
import io.segstream.core.metrics.CityscapesEvaluator;
import io.segstream.core.metrics.FrameScore;
import io.segstream.core.metrics.PredictionIds;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.segment.EncodedFrame;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.OnnxSegmenter.EncodedOutcome;
import io.segstream.core.segment.Segmentation;
import io.segstream.core.segment.SegmenterTimings;
import io.segstream.schemas.AvroBytes;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.MaskEncoding;
import io.segstream.schemas.ModelRef;
import io.segstream.schemas.SegmentationMask;
import io.segstream.schemas.StageTimings;
import io.segstream.schemas.ZoneFractions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns {@link CameraFrame} records into {@link SegmentationMask} records with one {@link OnnxSegmenter}:
 * decode, segment in batches, class fractions of the frame and of each alert zone, encode the mask, and score
 * the frame when it carries ground truth. A frame that fails yields a {@link FrameFailure} instead (its image does
 * not decode, the model run fails, or the model gives NaN or infinite scores for it); the other frames of its batch
 * are not affected. The streaming job and the edge agent share this class.
 *
 * <pre>{@code
 * FrameSegmenter fs = new FrameSegmenter(segmenter, rules, MaskEncoding.PNG_CLASS_IDS);
 * for (FrameOutcome o : fs.segment(frames)) { ... o.mask() or o.failure() ... }
 * }</pre>
 *
 * <p>Not thread-safe, like the segmenter it wraps (which runs a batch's frames on its own lanes).
 */
public final class FrameSegmenter {
    private final OnnxSegmenter segmenter;
    private final AlertRules rules;
    private final MaskEncoding encoding;
    private final ZoneMasks zoneMasks = ZoneMasks.shared();
    private final ModelRef model;
    private final LabelSet labelSet;
    /** One per lane of the segmenter's {@link OnnxSegmenter#lanes()}: an evaluator is not thread-safe. */
    private final CityscapesEvaluator[] scorers;

    /**
     * @param segmenter the model to run; the caller owns and closes it
     * @param rules     alert rules whose zones get per-zone class fractions; null for none
     * @param encoding  how masks are encoded
     */
    public FrameSegmenter(OnnxSegmenter segmenter, AlertRules rules, MaskEncoding encoding) {
        this.segmenter = Objects.requireNonNull(segmenter, "segmenter");
        this.rules = rules;
        this.encoding = Objects.requireNonNull(encoding, "encoding");
        if (encoding == MaskEncoding.UNKNOWN) {
            throw new IllegalArgumentException("mask encoding must be PNG_CLASS_IDS or RLE");
        }
        ModelManifest m = segmenter.manifest();
        this.model = ModelRef.newBuilder()
                .setName(m.name())
                .setVersion(m.version())
                .setSha256(m.sha256().orElse(""))
                .build();
        this.labelSet = segmenter.labelSet();
        this.scorers = new CityscapesEvaluator[segmenter.lanes().lanes()];
        for (int lane = 0; lane < scorers.length; lane++) {
            scorers[lane] = CityscapesEvaluator.builder()
                    .optLabelSet(labelSet.classIdsAreLabelIds() ? LabelSet.defaultSet() : labelSet)
                    .optPredictionIds(labelSet.classIdsAreLabelIds() ? PredictionIds.LABEL : PredictionIds.TRAIN)
                    .build();
        }
    }

    /** The model that makes the masks. */
    public ModelRef model() {
        return model;
    }

    /** The segmenter in use. */
    public OnnxSegmenter segmenter() {
        return segmenter;
    }

    /**
     * Segments {@code frames} in batches of the segmenter's size; the outcomes come back in the same order. Decoding
     * and the masks run on the segmenter's {@link OnnxSegmenter#lanes()}.
     */
    public List<FrameOutcome> segment(List<CameraFrame> frames) {
        List<EncodedFrame> encoded = new ArrayList<>(frames.size());
        List<String> names = new ArrayList<>(frames.size());
        for (CameraFrame f : frames) {
            encoded.add(new EncodedFrame(f.getEncoding(), AvroBytes.toArray(f.getData()), f.getWidth(), f.getHeight()));
            names.add(name(f));
        }
        List<EncodedOutcome> results = segmenter.segmentEncoded(encoded, names);
        FrameOutcome[] outcomes = new FrameOutcome[frames.size()];
        segmenter.lanes().forEach(frames.size(), (lane, i) -> {
            CameraFrame f = frames.get(i);
            EncodedOutcome r = results.get(i);
            Segmentation s = r.segmentation();
            if (r.imageFailure() != null) {
                outcomes[i] = FrameOutcome.ofFailure(f, new FrameFailure(FrameFailure.STAGE_IMAGE,
                        r.imageFailure().getMessage(), r.imageFailure()));
            } else if (r.batchFailure() != null) {
                outcomes[i] = FrameOutcome.ofFailure(f, new FrameFailure(FrameFailure.STAGE_INFERENCE,
                        name(f) + ": " + r.batchFailure().getMessage(), r.batchFailure()));
            } else {
                outcomes[i] = s.hasNonFiniteScores()
                        ? FrameOutcome.ofFailure(f, new FrameFailure(FrameFailure.STAGE_MODEL, nonFinite(f, s), null))
                        : FrameOutcome.ofMask(f, toMask(f, s, scorers[lane]));
            }
        });
        return List.of(outcomes);
    }

    private String nonFinite(CameraFrame f, Segmentation s) {
        return name(f) + ": model " + model.getName() + ":" + model.getVersion() + " gave " + s.nanScores()
                + " NaN and " + s.infiniteScores() + " infinite class scores for this frame, so no mask is made from"
                + " them; a model that does this on real frames needs retraining or a fixed export";
    }

    private SegmentationMask toMask(CameraFrame f, Segmentation s, CityscapesEvaluator scorer) {
        long t0 = System.nanoTime();
        String camera = f.getCameraId();
        List<ZoneFractions> zones = new ArrayList<>();
        if (rules != null) {
            Map<String, Polygon> polygons = rules.zonesFor(camera);
            if (!polygons.isEmpty()) {
                zoneMasks.zoneClassFractions(polygons, s.classIds(), s.width(), s.height(), labelSet)
                        .forEach((id, fractions) -> zones.add(new ZoneFractions(id, Map.copyOf(fractions))));
            }
        }
        Float frameMiou = null;
        if (f.getGroundTruth() != null) {
            frameMiou = score(f, s, scorer);
        }
        byte[] mask = MaskCodec.encode(s.mask(), encoding);
        SegmenterTimings t = s.timings();
        float postMs = t.postMs() + (System.nanoTime() - t0) / 1e6f;
        return SegmentationMask.newBuilder()
                .setCameraId(camera)
                .setSeq(f.getSeq())
                .setCaptureTime(f.getCaptureTime())
                .setModel(model)
                .setLabelSet(labelSet.name())
                .setWidth(s.width())
                .setHeight(s.height())
                .setMaskEncoding(encoding)
                .setMask(ByteBuffer.wrap(mask))
                .setClassFractions(Map.copyOf(s.classFractions().asMap()))
                .setZoneFractions(zones)
                .setTimings(new StageTimings(t.decodeMs(), t.preMs(), t.inferMs(), postMs, 0f))
                .setDriveId(f.getDriveId())
                .setFrameMiou(frameMiou)
                .build();
    }

    /** mIoU of the frame against its ground truth; null when the ground truth is unusable (logged by the caller's metrics). */
    private Float score(CameraFrame f, Segmentation s, CityscapesEvaluator scorer) {
        try {
            LabelImage gt = LabelPng.read8(AvroBytes.toArray(f.getGroundTruth()), name(f) + " ground truth");
            byte[] ids = s.classIds();
            int[] pred = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                pred[i] = ids[i] & 0xFF;
            }
            FrameScore score = scorer.score(gt, new LabelImage(s.width(), s.height(), pred), name(f));
            return Double.isNaN(score.meanIoU()) ? null : (float) score.meanIoU();
        } catch (ImageFormatException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String name(CameraFrame f) {
        return "camera " + f.getCameraId() + " seq " + f.getSeq();
    }

}
