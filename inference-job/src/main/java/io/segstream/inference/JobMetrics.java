package io.segstream.inference;

import java.util.Map;

/**
 * The Flink configuration that exposes the job's metrics to Prometheus. On a cluster these keys go into the Flink
 * configuration (the Flink image carries the reporter as a plugin); {@code segstream infer --metrics-port P} sets
 * them on its local environment.
 *
 * <p>Every subtask's metrics then appear at {@code http://HOST:PORT/metrics}, e.g.
 * {@code flink_taskmanager_job_task_operator_framesIn}, the latency histograms as summaries with quantiles 0.5 to
 * 0.999, and {@code flink_taskmanager_job_task_operator_model_modelServing{model="name:version"}} 1 for the serving
 * model (0 once it was replaced).
 */
public final class JobMetrics {
    /** Flink's key for the Prometheus reporter's factory. */
    public static final String REPORTER_FACTORY = "metrics.reporter.prom.factory.class";
    /** Flink's key for the port (or port range) the reporter serves on. */
    public static final String REPORTER_PORT = "metrics.reporter.prom.port";

    private JobMetrics() {}

    /** The reporter configuration for {@code port} (a number or a range such as {@code 9249-9259}). */
    public static Map<String, String> prometheus(Object port) {
        return Map.of(REPORTER_FACTORY, "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                REPORTER_PORT, String.valueOf(port));
    }
}
