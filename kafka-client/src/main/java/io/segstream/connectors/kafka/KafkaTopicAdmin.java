package io.segstream.connectors.kafka;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates missing segstream topics on a cluster and warns about existing ones too small for multi-MB records.
 *
 * <pre>{@code
 * List<String> created =
 *         KafkaTopicAdmin.ensureTopics(bootstrap, SegstreamTopics.defaults().all(), Duration.ofSeconds(30));
 * }</pre>
 */
public final class KafkaTopicAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopicAdmin.class);
    private static final String MAX_MESSAGE_BYTES = "max.message.bytes";

    private KafkaTopicAdmin() {}

    /**
     * Creates every topic of {@code specs} that does not exist yet; existing topics are left as they are.
     *
     * @return the names of the topics this call created
     * @throws IOException if the cluster cannot be reached or refuses a topic, within {@code timeout}
     */
    public static List<String> ensureTopics(String bootstrapServers, Collection<TopicSpec> specs, Duration timeout)
            throws IOException {
        Admin admin = Admin.create(KafkaClientConfigs.admin(bootstrapServers));
        try {
            Set<String> existing = get(admin.listTopics().names(), timeout, bootstrapServers, "list topics");
            List<TopicSpec> missing = specs.stream().filter(s -> !existing.contains(s.name())).toList();
            List<String> created = new ArrayList<>();
            if (!missing.isEmpty()) {
                CreateTopicsResult result = admin.createTopics(missing.stream().map(TopicSpec::toNewTopic).toList());
                for (TopicSpec spec : missing) {
                    try {
                        get(result.values().get(spec.name()), timeout, bootstrapServers, "create topic " + spec.name());
                        created.add(spec.name());
                        LOG.info("created topic {} ({} partitions, replication {}, {})", spec.name(),
                                spec.partitions(), spec.replicationFactor(), spec.configs());
                    } catch (IOException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw e;
                        }
                    }
                }
            }
            warnAboutSmallLimits(admin, specs.stream().filter(s -> existing.contains(s.name())).toList(), timeout,
                    bootstrapServers);
            return created;
        } finally {
            // every call above has completed or timed out; a plain close() would keep retrying a timed-out call
            // against an unreachable cluster for default.api.timeout.ms (60 s) before returning
            admin.close(Duration.ZERO);
        }
    }

    private static void warnAboutSmallLimits(Admin admin, List<TopicSpec> specs, Duration timeout,
            String bootstrapServers) throws IOException {
        if (specs.isEmpty()) {
            return;
        }
        List<ConfigResource> resources = specs.stream()
                .map(s -> new ConfigResource(ConfigResource.Type.TOPIC, s.name())).toList();
        Map<ConfigResource, Config> configs =
                get(admin.describeConfigs(resources).all(), timeout, bootstrapServers, "describe topics");
        Map<String, TopicSpec> byName = specs.stream().collect(Collectors.toMap(TopicSpec::name, s -> s));
        configs.forEach((resource, config) -> {
            ConfigEntry entry = config.get(MAX_MESSAGE_BYTES);
            String wanted = byName.get(resource.name()).config(MAX_MESSAGE_BYTES).orElse(null);
            if (entry != null && wanted != null && Long.parseLong(entry.value()) < Long.parseLong(wanted)) {
                LOG.warn("topic {} exists with {}={}, smaller than the {} segstream records need: large records"
                        + " will be refused; raise it with kafka-configs --alter --add-config {}={}",
                        resource.name(), MAX_MESSAGE_BYTES, entry.value(), wanted, MAX_MESSAGE_BYTES, wanted);
            }
        });
    }

    private static <T> T get(KafkaFuture<T> future, Duration timeout, String bootstrapServers, String what)
            throws IOException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to " + what + " on " + bootstrapServers);
        } catch (ExecutionException e) {
            throw new IOException("could not " + what + " on Kafka at " + bootstrapServers + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("could not " + what + " on Kafka at " + bootstrapServers + " within "
                    + timeout.toSeconds() + " s: is the broker running there?", e);
        }
    }
}
