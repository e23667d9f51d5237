package io.segstream.connectors.flink.internal;

import io.segstream.connectors.flink.Decoded;
import io.segstream.schemas.DeadLetter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Passes decoded records on and sends dead letters to a side output, counting them in the
 * {@code deadLetters} metric.
 *
 * @param <T> the record type
 */
public final class SplitDecodedFunction<T extends SpecificRecordBase> extends ProcessFunction<Decoded<T>, Decoded<T>> {
    private static final long serialVersionUID = 1L;

    private final OutputTag<DeadLetter> deadLetters;
    private transient Counter deadLetterCount;

    /** Sends dead letters to {@code deadLetters}. */
    public SplitDecodedFunction(OutputTag<DeadLetter> deadLetters) {
        this.deadLetters = deadLetters;
    }

    @Override
    public void open(OpenContext openContext) {
        deadLetterCount = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(Decoded<T> decoded, Context context, Collector<Decoded<T>> out) {
        if (decoded.isRecord()) {
            out.collect(decoded);
        } else {
            deadLetterCount.inc();
            context.output(deadLetters, decoded.getDeadLetter());
        }
    }
}
