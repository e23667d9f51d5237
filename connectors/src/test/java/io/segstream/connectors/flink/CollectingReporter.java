package io.segstream.connectors.flink;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter that keeps every counter the cluster hands it, so a test reads exactly what a reporter
 * (Prometheus, JMX) would report; a counter Flink refused to register never arrives here. Configure it with
 * {@code metrics.reporter.collect.factory.class: io.segstream.connectors.flink.CollectingReporter}.
 */
public final class CollectingReporter implements MetricReporter, MetricReporterFactory {
    /** Reported counters by their full metric identifier; static because Flink creates the reporter. */
    static final Map<String, Counter> COUNTERS = new ConcurrentHashMap<>();

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return this;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (metric instanceof Counter counter) {
            COUNTERS.put(group.getMetricIdentifier(name), counter);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        // kept: the test reads the counts after the job has finished
    }

    /** The sum of the reported counters whose identifier contains {@code job} and ends with {@code .name}. */
    static long sum(String job, String name) {
        return COUNTERS.entrySet().stream()
                .filter(e -> e.getKey().contains(job) && e.getKey().endsWith("." + name))
                .mapToLong(e -> e.getValue().getCount()).sum();
    }

    /** How many counters of {@code job} named {@code name} were reported. */
    static long count(String job, String name) {
        return COUNTERS.keySet().stream().filter(k -> k.contains(job) && k.endsWith("." + name)).count();
    }
}
