package io.segstream.inference.alerts;

import io.segstream.core.alerts.AlertEngine;
import io.segstream.core.alerts.AlertEvent;
import io.segstream.core.alerts.AlertRule;
import io.segstream.core.alerts.AlertRules;
import io.segstream.core.alerts.FrameFractions;
import io.segstream.core.alerts.MaskFrames;
import io.segstream.core.alerts.RuleState;
import io.segstream.core.alerts.RuleStep;
import io.segstream.core.alerts.ZoneMasks;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AlertState;
import io.segstream.schemas.SegmentationMask;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert operator: keyed by camera id, it keeps one {@link RuleState} per rule in Flink keyed state and
 * feeds every segmentation mask to the pure {@link AlertEngine}, emitting an {@link Alert} for each rule
 * raised or cleared. Because the state is checkpointed and the engine is deterministic, a job restored from
 * a checkpoint emits the same alerts, with the same ids, as one that never stopped.
 *
 * <pre>{@code
 * DataStream<Alert> alerts = masks
 *         .keyBy(AlertFunction.BY_CAMERA)
 *         .process(new AlertFunction(AlertRules.load(rulesFile)))
 *         .name("alerts").uid("alert-rules");
 * }</pre>
 *
 * <p>Metrics: {@code alertsRaised}, {@code alertsCleared}, {@code alertFramesOutOfOrder} (frames whose seq
 * was not above the camera's last one, ignored), {@code alertZoneFractionsMissing} (rule evaluations on a
 * mask without fractions for the rule's zone, counted as 0 coverage).
 */
public class AlertFunction extends KeyedProcessFunction<String, SegmentationMask, Alert> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AlertFunction.class);

    /** The key of this operator's input: the camera id. */
    public static final KeySelector<SegmentationMask, String> BY_CAMERA = SegmentationMask::getCameraId;

    /** Name of the keyed map state: rule id to that rule's state on the key's camera. */
    public static final String STATE_NAME = "alert-rule-states";

    private final AlertRules rules;

    private transient AlertEngine engine;
    private transient ZoneMasks zoneMasks;
    private transient MapState<String, RuleState> states;
    private transient Set<String> warnedLabelSets;
    private transient Counter raised;
    private transient Counter cleared;
    private transient Counter outOfOrder;
    private transient Counter zoneMissing;

    public AlertFunction(AlertRules rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    /** The descriptor of the per-camera rule states; the rule state is a Flink POJO, so no Kryo is involved. */
    static MapStateDescriptor<String, RuleState> stateDescriptor() {
        return new MapStateDescriptor<>(STATE_NAME, Types.STRING, TypeInformation.of(RuleState.class));
    }

    @Override
    public void open(OpenContext openContext) {
        engine = new AlertEngine(rules);
        zoneMasks = ZoneMasks.shared();
        warnedLabelSets = new HashSet<>();
        states = getRuntimeContext().getMapState(stateDescriptor());
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        raised = metrics.counter("alertsRaised");
        cleared = metrics.counter("alertsCleared");
        outOfOrder = metrics.counter("alertFramesOutOfOrder");
        zoneMissing = metrics.counter("alertZoneFractionsMissing");
        LOG.info("alert rules: {}", rules.summary());
    }

    @Override
    public void processElement(SegmentationMask mask, Context ctx, Collector<Alert> out) throws Exception {
        if (!rules.labelSet().equals(mask.getLabelSet()) && warnedLabelSets.add(mask.getLabelSet())) {
            LOG.warn("masks use label set {} but the alert rules {} name classes of {}; rules match by class name,"
                    + " so classes the mask's set lacks never match", mask.getLabelSet(), rules.source(),
                    rules.labelSet());
        }
        String camera = mask.getCameraId();
        FrameFractions frame = MaskFrames.toFrame(mask, engine.zonesFor(camera), zoneMasks);
        String modelVersion = mask.getModel().getVersion();
        boolean late = false;
        for (AlertRule rule : engine.rulesFor(camera)) {
            RuleStep step = AlertEngine.step(rule, states.get(rule.id()), frame);
            if (step.outOfOrder()) {
                late = true;
                continue;
            }
            states.put(rule.id(), step.state());
            if (step.zoneMissing()) {
                zoneMissing.inc();
            }
            AlertEvent event = step.event();
            if (event != null) {
                (event.state() == AlertState.RAISED ? raised : cleared).inc();
                out.collect(event.toAvro(modelVersion));
            }
        }
        if (late) {
            outOfOrder.inc();
        }
    }
}
