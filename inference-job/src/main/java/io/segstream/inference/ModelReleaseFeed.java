package io.segstream.inference;

import io.segstream.connectors.flink.AvroKafkaSource;
import io.segstream.connectors.flink.Decoded;
import io.segstream.connectors.kafka.KafkaTopicAdmin;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.kafka.TopicRole;
import io.segstream.connectors.models.ModelReleaseLog;
import io.segstream.schemas.ModelRelease;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

/**
 * Where the inference job learns about model releases: the models topic, split at the moment the job is built.
 * The releases before that point are read once by each segmentation subtask at a fresh start ({@link #before()}),
 * to serve the newest valid one from the first frame; the releases after it arrive on the broadcast stream
 * ({@link #source()}) and are hot-swapped in. Every release is seen by exactly one of the two.
 *
 * <pre>{@code
 * ModelReleaseFeed feed = ModelReleaseFeed.onKafka(bootstrap, topics, "segstream-inference", Duration.ofSeconds(30));
 * InferenceJob job = InferenceJob.onKafka(options, modelDir).withModelReleases(feed);
 * }</pre>
 *
 * @param source the releases from {@code before}'s end on; a job restored from a checkpoint resumes it where it was
 * @param before the models topic up to where {@code source} starts
 */
public record ModelReleaseFeed(Source<Decoded<ModelRelease>, ?, ?> source, ModelReleaseLog before) {

    public ModelReleaseFeed {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(before, "before");
    }

    /**
     * The models topic of {@code topics} on {@code bootstrap}, split at its current end; the topic is created
     * (one partition, compacted) when it does not exist yet.
     *
     * @throws IOException when the cluster cannot be reached within {@code timeout}
     */
    public static ModelReleaseFeed onKafka(String bootstrap, SegstreamTopics topics, String groupId, Duration timeout)
            throws IOException {
        KafkaTopicAdmin.ensureTopics(bootstrap, List.of(topics.spec(TopicRole.MODELS)), timeout);
        ModelReleaseLog before = ModelReleaseLog.atEnd(bootstrap, topics.models(), timeout);
        return new ModelReleaseFeed(AvroKafkaSource.builder(ModelRelease.class)
                .setBootstrapServers(bootstrap)
                .setTopic(topics.models())
                .setGroupId(groupId + "-models")
                .optStartingOffsets(before.endOffsets().isEmpty()
                        ? OffsetsInitializer.earliest()
                        : OffsetsInitializer.offsets(before.topicPartitionEnds()))
                .build(), before);
    }
}
