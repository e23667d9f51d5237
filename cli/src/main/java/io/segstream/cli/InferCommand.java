package io.segstream.cli;

import io.segstream.connectors.kafka.KafkaTopicAdmin;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.core.model.BootstrapModel;
import io.segstream.inference.InferenceJob;
import io.segstream.inference.InferenceJobOptions;
import io.segstream.inference.JobMetrics;
import io.segstream.inference.segment.ConfiguredModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code segstream infer}: the inference job on a local Flink MiniCluster against an existing Kafka.
 *
 * <pre>{@code ./segstream infer --bootstrap 127.0.0.1:9092 --rules config/rules/railway.yaml}</pre>
 */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = {"Runs the inference job (frames -> masks + alerts) on a local Flink MiniCluster against an",
            "existing Kafka until Ctrl-C. On a Flink cluster, submit the job jar instead (see README)."})
final class InferCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--model", paramLabel = "DIR|URI",
            description = {"Model directory (model.onnx + model.json), or its model-store URI (file://, http(s)://,",
                "s3://), fetched by each subtask and verified against the SHA-256 in its model.json; 'bundled-tta' for",
                "the bundled model's accurate variant; default: the bundled model."})
    String model;

    @Option(names = "--rules", paramLabel = "FILE", defaultValue = "railway",
            description = "Alert rules YAML file, or a built-in set: railway, road (default: ${DEFAULT-VALUE}).")
    String rules;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "1",
            description = "Segmentation subtasks, each with its own model session (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "live",
            description = "live skips stale frames; replay skips nothing (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--provider", paramLabel = "EP", defaultValue = "CPU",
            description = "Execution provider: CPU, CUDA or TENSORRT; falls back to CPU when unavailable.")
    String provider;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve the job's metrics for Prometheus on http://0.0.0.0:PORT/metrics.")
    Integer metricsPort;

    @Option(names = "--web-port", paramLabel = "PORT", defaultValue = "8081",
            description = "Port of the Flink web UI, on 127.0.0.1 only; 0 turns it off (default: ${DEFAULT-VALUE}).")
    int webPort;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any other job option (see below).")
    Map<String, String> extra = new LinkedHashMap<>();

    /** Help footer listing every job option that {@code --set} takes. */
    static String[] footer() {
        return new String[] {"", "Job options for --set KEY=VALUE:", InferenceJobOptions.describe()};
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> settings = new LinkedHashMap<>(extra);
        settings.put("bootstrap", bootstrap);
        settings.put("rules", rules);
        settings.put("parallelism", String.valueOf(parallelism));
        settings.put("mode", mode);
        settings.put("segmenter.provider", provider.toUpperCase());
        InferenceJobOptions options = InferenceJobOptions.fromMap(settings);
        String modelLocation = model == null || model.equals(BootstrapModel.BUNDLED_TTA)
                ? BootstrapModel.resolve(model == null ? null : Path.of(model)).toString()
                : ConfiguredModel.location(model);

        SegstreamTopics topics = InferenceJob.topics(options);
        KafkaTopicAdmin.ensureTopics(bootstrap, topics.all(), Duration.ofSeconds(30));
        InferenceJob job = InferenceJob.onKafka(options, modelLocation);

        StreamExecutionEnvironment env = localEnvironment(webPort, metricsPort == null ? 0 : metricsPort);
        InferenceJob.configure(env, options);
        job.build(env);
        spec.commandLine().getErr().println("segstream infer: frames from " + topics.frames() + " -> "
                + topics.masks() + ", " + topics.alerts() + " (dead letters: " + topics.deadLetters() + "); model "
                + modelLocation + (webPort > 0 ? "; Flink web UI http://127.0.0.1:" + webPort : "") + "; Ctrl-C stops it");
        spec.commandLine().getErr().flush();
        env.execute("segstream inference");
        return 0;
    }

    /**
     * A local Flink environment, with the web UI on {@code http://127.0.0.1:webPort} (loopback only: it can cancel
     * jobs and has no authentication) and Prometheus metrics on {@code http://0.0.0.0:metricsPort/metrics}, each
     * unless 0.
     */
    static StreamExecutionEnvironment localEnvironment(int webPort, int metricsPort) {
        Configuration conf = new Configuration();
        if (metricsPort > 0) {
            conf.addAll(Configuration.fromMap(JobMetrics.prometheus(metricsPort)));
        }
        if (webPort > 0) {
            conf.set(RestOptions.PORT, webPort);
            conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
            conf.set(RestOptions.ADDRESS, "127.0.0.1");
            return StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        }
        return StreamExecutionEnvironment.createLocalEnvironment(conf);
    }
}
