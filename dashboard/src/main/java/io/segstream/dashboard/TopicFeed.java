package io.segstream.dashboard;

import io.segstream.connectors.kafka.KafkaClientConfigs;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.ModelRelease;
import io.segstream.schemas.RecordDecodeException;
import io.segstream.schemas.SegmentationMask;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the five topics into a {@link DashboardState}: one read_committed consumer, every partition assigned (no
 * consumer group, so the dashboard never takes partitions from anyone and commits nothing). Frames and masks start
 * at the end (a frames topic holds gigabytes; the page wants what is live), alerts, models and dead letters at the
 * beginning, so the active alerts and system events are whole. A value that does not decode is counted and skipped:
 * the page shows the count; one bad record never stops the feed.
 */
final class TopicFeed implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicFeed.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final SegstreamTopics topics;
    private final DashboardState state;
    private final AlertListener alertListener;
    private final Map<TopicPartition, Long> alertsEndAtStart = new HashMap<>();
    private final AvroCodec<CameraFrame> frames = AvroCodec.of(CameraFrame.class);
    private final AvroCodec<SegmentationMask> masks = AvroCodec.of(SegmentationMask.class);
    private final AvroCodec<Alert> alerts = AvroCodec.of(Alert.class);
    private final AvroCodec<DeadLetter> deadLetters = AvroCodec.of(DeadLetter.class);
    private final AvroCodec<ModelRelease> releases = AvroCodec.of(ModelRelease.class);
    private volatile boolean running = true;

    /**
     * Connects and positions the consumer.
     *
     * @param fromBeginning read frames and masks from the beginning too (a short recorded run, tests)
     * @throws IOException if a topic does not exist or the cluster cannot be reached within {@code timeout}
     */
    TopicFeed(String bootstrap, SegstreamTopics topics, DashboardState state, AlertListener alertListener,
            boolean fromBeginning, Duration timeout) throws IOException {
        this.topics = topics;
        this.state = state;
        this.alertListener = alertListener;
        Properties props = KafkaClientConfigs.consumer(bootstrap);
        props.put("client.id", "segstream-dashboard");
        this.consumer = new KafkaConsumer<>(props);
        try {
            List<TopicPartition> live = new ArrayList<>();
            List<TopicPartition> whole = new ArrayList<>();
            for (String topic : List.of(topics.frames(), topics.masks(), topics.alerts(), topics.models(),
                    topics.deadLetters())) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
                if (infos == null || infos.isEmpty()) {
                    throw new IOException("topic " + topic + " does not exist on " + bootstrap
                            + ": start the job (it creates the topics) or pass the deployment's --topic-prefix");
                }
                boolean isLive = !fromBeginning && (topic.equals(topics.frames()) || topic.equals(topics.masks()));
                infos.forEach(p -> (isLive ? live : whole).add(new TopicPartition(topic, p.partition())));
            }
            List<TopicPartition> all = new ArrayList<>(live);
            all.addAll(whole);
            consumer.assign(all);
            consumer.seekToEnd(live);
            consumer.seekToBeginning(whole);
            List<TopicPartition> alertPartitions = whole.stream().filter(p -> p.topic().equals(topics.alerts()))
                    .toList();
            alertsEndAtStart.putAll(consumer.endOffsets(alertPartitions, timeout));
        } catch (IOException | RuntimeException e) {
            consumer.close();
            throw e instanceof IOException io ? io
                    : new IOException("cannot read the segstream topics on " + bootstrap + ": " + e.getMessage(), e);
        }
    }

    /** Gets every alert after the state took it; {@code historical}: it was on the topic when reading started. */
    @FunctionalInterface
    interface AlertListener {
        void onAlert(Alert alert, boolean historical);
    }

    @Override
    public void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    apply(r);
                }
            }
        } catch (WakeupException e) {
            // close() woke the poll: the dashboard stops
        } catch (RuntimeException e) {
            LOG.error("the dashboard stopped reading Kafka: {}", e.toString(), e);
        } finally {
            consumer.close();
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> r) {
        String topic = r.topic();
        try {
            if (topic.equals(topics.frames())) {
                state.onFrame(frames.decode(r.value()));
            } else if (topic.equals(topics.masks())) {
                state.onMask(masks.decode(r.value()));
            } else if (topic.equals(topics.alerts())) {
                Alert a = alerts.decode(r.value());
                state.onAlert(a);
                long end = alertsEndAtStart.getOrDefault(new TopicPartition(topic, r.partition()), 0L);
                alertListener.onAlert(a, r.offset() < end);
            } else if (topic.equals(topics.deadLetters())) {
                state.onDeadLetter(deadLetters.decode(r.value()));
            } else if (topic.equals(topics.models())) {
                state.onRelease(releases.decode(r.value()));
            }
        } catch (RecordDecodeException e) {
            state.onUndecodable(topic);
            LOG.debug("{} partition {} offset {} does not decode: {}", topic, r.partition(), r.offset(),
                    e.getMessage());
        }
    }

    /** Stops the reading thread and closes the consumer (from the reading thread, as Kafka requires). */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
