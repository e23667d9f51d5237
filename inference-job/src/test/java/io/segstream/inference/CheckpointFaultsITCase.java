package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.flink.AvroKafkaSink;
import io.segstream.connectors.flink.AvroKafkaSource;
import io.segstream.connectors.flink.Decoded;
import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.kafka.junit.EmbeddedKafkaExtension;
import io.segstream.core.alerts.AlertRules;
import io.segstream.schemas.Alert;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.SegmentationMask;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults inside a checkpoint, with the inference job on a MiniCluster against a real broker: 120 frames from two
 * cameras, and after each fault every frame has exactly one mask ({@code read_committed}) and the alerts are those
 * of an undisturbed drive (cam-a's person raises at seq 11 and clears at 22).
 *
 * <p>The faults come from a probe: a second, tiny pipeline in the same job (the frames read once more, counted in
 * operator state, discarded), so they hit the job's checkpoints without touching the job's own operators.
 * <ul>
 *   <li>The probe's state serializer throws while the checkpoint's asynchronous part writes it: the checkpoint
 *       fails, the job fails over to the last completed one.
 *   <li>The probe holds the checkpoint's synchronous part until every other subtask has acknowledged it, that is
 *       until the sinks have flushed (pre-committed) their transactions for it; then the task manager is killed.
 *       The checkpoint never completes, so nothing of it may be committed: the restored sinks abort those open
 *       transactions (lingering from the previous attempt) and the frames since the last checkpoint are processed
 *       again.
 * </ul>
 */
@Tag("slow")
class CheckpointFaultsITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.forClass();

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int FRAMES_PER_CAMERA = 60;

    @TempDir
    static Path tmp;
    private static Path model;
    private static AlertRules rules;

    @BeforeAll
    static void start() throws Exception {
        model = ColourModel.write(tmp.resolve("colour"), "1");
        rules = AlertRules.load(Path.of(CheckpointFaultsITCase.class.getResource("/corridor-rules.yaml").toURI()));
    }

    @Test
    void anExceptionInTheAsynchronousPartOfACheckpointFailsItOverWithoutLosingOrRepeatingAMask(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        SegstreamTopics topics = topics("async");
        Probe.reset(Probe.Fault.THROW_IN_ASYNC_PART);
        JobClient job = start(topics);
        try {
            List<CameraFrame> drive = Frames.scriptedDrive(FRAMES_PER_CAMERA);
            produce(topics.frames(), drive.subList(0, 60));
            awaitMasks(topics, 10);
            long failedBefore = stats(cluster, job.getJobID()).getCounts().getNumberOfFailedCheckpoints();
            Probe.ARMED.set(true);
            produce(topics.frames(), drive.subList(60, 90));
            assertTrue(Probe.FIRED.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the probe's serializer never ran");
            produce(topics.frames(), drive.subList(90, 120));

            assertExactlyOnce(topics);
            assertTrue(stats(cluster, job.getJobID()).getCounts().getNumberOfFailedCheckpoints() > failedBefore,
                    "the checkpoint whose asynchronous part threw is counted as failed");
            assertTrue(Probe.RESTORES.get() > 0, "the job failed over and restored its last checkpoint");
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void aTaskManagerKilledAfterTheBarrierAndBeforeTheCommitLeavesNothingOfThatCheckpointCommitted(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        SegstreamTopics topics = topics("barrier");
        Probe.reset(Probe.Fault.HOLD_SYNC_PART);
        JobClient job = start(topics);
        try {
            List<CameraFrame> drive = Frames.scriptedDrive(FRAMES_PER_CAMERA);
            produce(topics.frames(), drive.subList(0, 60));
            awaitMasks(topics, 10);
            Probe.ARMED.set(true);
            produce(topics.frames(), drive.subList(60, 90));
            assertTrue(Probe.FIRED.await(WAIT.toSeconds(), TimeUnit.SECONDS), "no checkpoint reached the probe");
            long held = Probe.CHECKPOINT.get();
            AbstractCheckpointStats pending = awaitAllButOneAcknowledged(cluster, job.getJobID(), held);
            long completed = stats(cluster, job.getJobID()).getCounts().getNumberOfCompletedCheckpoints();
            cluster.terminateTaskManager(0).get();
            assertEquals(CheckpointStatsStatus.FAILED, awaitEnd(cluster, job.getJobID(), held),
                    "the held checkpoint never completed");
            cluster.startTaskManager();
            System.out.printf("killed the task manager with checkpoint %d acknowledged by %d of %d subtasks (%d"
                    + " completed before it)%n", held, pending.getNumberOfAcknowledgedSubtasks(),
                    pending.getNumberOfSubtasks(), completed);
            produce(topics.frames(), drive.subList(90, 120));

            assertExactlyOnce(topics);
            assertTrue(Probe.RESTORES.get() > 0, "the job restored its last completed checkpoint");
        } finally {
            job.cancel().get();
        }
    }

    private static SegstreamTopics topics(String name) throws IOException {
        SegstreamTopics topics = SegstreamTopics.builder().optPrefix("cpf-" + name + ".").build();
        KAFKA.broker().ensureTopics(topics.all());
        return topics;
    }

    /** The job (replay mode, unbounded source, checkpoints every 500 ms) with the probe beside it. */
    private static JobClient start(SegstreamTopics topics) throws Exception {
        String bs = KAFKA.bootstrapServers();
        String tx = "tx-" + topics.frames();
        InferenceJobOptions o = InferenceJobOptions.fromMap(Map.of(
                "bootstrap", bs,
                "topic-prefix", topics.frames().substring(0, topics.frames().indexOf("frames")),
                "mode", "replay",
                "batch-size", "4",
                "batch-wait-ms", "20",
                "checkpoint-interval-ms", "500",
                "transactional-id-prefix", tx));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        InferenceJob.configure(env, o);
        new InferenceJob(o, model, rules,
                AvroKafkaSource.builder(CameraFrame.class).setBootstrapServers(bs).setTopic(topics.frames())
                        .setGroupId("g-" + topics.frames()).build(),
                AvroKafkaSink.builder(SegmentationMask.class).setBootstrapServers(bs).setTopic(topics.masks())
                        .optExactlyOnce(tx + "-masks").build(),
                AvroKafkaSink.builder(Alert.class).setBootstrapServers(bs).setTopic(topics.alerts())
                        .optExactlyOnce(tx + "-alerts").build(),
                AvroKafkaSink.builder(DeadLetter.class).setBootstrapServers(bs).setTopic(topics.deadLetters())
                        .optExactlyOnce(tx + "-dlq").build())
                .build(env);
        env.fromSource(AvroKafkaSource.builder(CameraFrame.class).setBootstrapServers(bs).setTopic(topics.frames())
                        .setGroupId("probe-" + topics.frames()).build(), WatermarkStrategy.noWatermarks(), "probe source")
                .uid("probe-source").setParallelism(1)
                .process(new Probe()).uid("probe").name("probe").setParallelism(1)
                .sinkTo(new DiscardingSink<>()).uid("probe-discard").name("probe discard").setParallelism(1);
        return env.executeAsync("checkpoint faults");
    }

    private static void produce(String topic, List<CameraFrame> frames) throws Exception {
        Frames.produce(KAFKA.bootstrapServers(), topic, frames);
    }

    private static void awaitMasks(SegstreamTopics topics, int count) throws Exception {
        try (AvroTopicReader<SegmentationMask> r = AvroTopicReader.builder(SegmentationMask.class)
                .setBootstrapServers(KAFKA.bootstrapServers()).setTopic(topics.masks()).build()) {
            r.readAtLeast(count, WAIT);
        }
    }

    private static void assertExactlyOnce(SegstreamTopics topics) throws Exception {
        List<SegmentationMask> masks = readAll(SegmentationMask.class, topics.masks(), 2 * FRAMES_PER_CAMERA);
        Map<String, Long> perFrame = masks.stream().collect(Collectors.groupingBy(
                m -> m.getCameraId() + "#" + m.getSeq(), Collectors.counting()));
        assertEquals(2 * FRAMES_PER_CAMERA, perFrame.size(), "every frame has a mask");
        assertTrue(perFrame.values().stream().allMatch(n -> n == 1), "no frame has two masks: " + perFrame);
        assertEquals(2 * FRAMES_PER_CAMERA, masks.size());
        List<Alert> alerts = readAll(Alert.class, topics.alerts(), 2);
        assertEquals(List.of("cam-a 11 RAISED", "cam-a 22 CLEARED"), alerts.stream()
                .map(a -> a.getCameraId() + " " + a.getSeq() + " " + a.getState()).sorted().toList(),
                "the alerts of an undisturbed drive, each once");
        try (AvroTopicReader<DeadLetter> r = AvroTopicReader.builder(DeadLetter.class)
                .setBootstrapServers(KAFKA.bootstrapServers()).setTopic(topics.deadLetters()).build()) {
            assertEquals(List.of(), r.readToEnd(Duration.ofSeconds(10)), "no dead letters");
        }
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> List<T> readAll(Class<T> type, String topic,
            int atLeast) throws Exception {
        try (AvroTopicReader<T> r = AvroTopicReader.builder(type).setBootstrapServers(KAFKA.bootstrapServers())
                .setTopic(topic).build()) {
            List<T> out = new ArrayList<>(r.readAtLeast(atLeast, WAIT));
            // two more checkpoint intervals: a record written twice would be committed by now
            Thread.sleep(1_000);
            out.addAll(r.readToEnd(Duration.ofSeconds(10)));
            return out;
        }
    }

    private static CheckpointStatsSnapshot stats(MiniCluster cluster, JobID job) throws Exception {
        return cluster.getExecutionGraph(job).get().getCheckpointStatsSnapshot();
    }

    /** Waits until {@code checkpoint} is no longer in progress and returns how it ended. */
    private static CheckpointStatsStatus awaitEnd(MiniCluster cluster, JobID job, long checkpoint) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        CheckpointStatsStatus status = stats(cluster, job).getHistory().getCheckpointById(checkpoint).getStatus();
        while (status == CheckpointStatsStatus.IN_PROGRESS) {
            assertTrue(System.nanoTime() < deadline, "checkpoint " + checkpoint + " still in progress after "
                    + WAIT.toSeconds() + " s");
            Thread.sleep(50);
            status = stats(cluster, job).getHistory().getCheckpointById(checkpoint).getStatus();
        }
        return status;
    }

    /** Waits until every subtask but the probe's has acknowledged {@code checkpoint}. */
    private static AbstractCheckpointStats awaitAllButOneAcknowledged(MiniCluster cluster, JobID job, long checkpoint)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            AbstractCheckpointStats s = stats(cluster, job).getHistory().getCheckpointById(checkpoint);
            if (s != null) {
                assertEquals(CheckpointStatsStatus.IN_PROGRESS, s.getStatus(), "the probe holds checkpoint "
                        + checkpoint);
                if (s.getNumberOfAcknowledgedSubtasks() == s.getNumberOfSubtasks() - 1) {
                    return s;
                }
            }
            assertTrue(System.nanoTime() < deadline, "checkpoint " + checkpoint + " was not acknowledged by every"
                    + " subtask but the probe within " + WAIT.toSeconds() + " s: " + s);
            Thread.sleep(50);
        }
    }

    /**
     * Counts the frames it sees in operator state and, once armed, injects one fault into the next checkpoint.
     * Static fields, because the MiniCluster runs the job in this JVM and the probe must fire only once across the
     * restart.
     */
    static final class Probe extends ProcessFunction<Decoded<CameraFrame>, Long> implements CheckpointedFunction {
        enum Fault { THROW_IN_ASYNC_PART, HOLD_SYNC_PART }

        private static final long serialVersionUID = 1L;
        static volatile Fault fault;
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static volatile CountDownLatch FIRED = new CountDownLatch(1);
        static final AtomicLong CHECKPOINT = new AtomicLong(-1);
        /** How often the probe was started from a checkpoint: a failover restores it. */
        static final AtomicLong RESTORES = new AtomicLong();

        private transient ListState<Long> count;
        private long seen;

        static void reset(Fault f) {
            fault = f;
            ARMED.set(false);
            FIRED = new CountDownLatch(1);
            CHECKPOINT.set(-1);
            RESTORES.set(0);
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            count = context.getOperatorStateStore().getListState(
                    new ListStateDescriptor<>("probe-count", new FailingLongSerializer()));
            if (context.isRestored()) {
                RESTORES.incrementAndGet();
            }
            for (Long c : count.get()) {
                seen += c;
            }
        }

        @Override
        public void processElement(Decoded<CameraFrame> frame, Context context, Collector<Long> out) {
            seen++;
            out.collect(seen);
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            count.update(List.of(seen));
            if (fault == Fault.HOLD_SYNC_PART && ARMED.get() && CHECKPOINT.compareAndSet(-1,
                    context.getCheckpointId())) {
                FIRED.countDown();
                // the task manager is killed while this waits; the interrupt ends it
                Thread.sleep(WAIT.toMillis());
            }
        }
    }

    /** A long serializer whose {@code serialize}, called in the asynchronous part of a snapshot, throws once armed. */
    static final class FailingLongSerializer extends TypeSerializerSingleton<Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public Long createInstance() {
            return 0L;
        }

        @Override
        public Long copy(Long from) {
            return from;
        }

        @Override
        public Long copy(Long from, Long reuse) {
            return from;
        }

        @Override
        public int getLength() {
            return Long.BYTES;
        }

        @Override
        public void serialize(Long record, DataOutputView target) throws IOException {
            if (Probe.fault == Probe.Fault.THROW_IN_ASYNC_PART && Probe.ARMED.get() && Probe.CHECKPOINT.compareAndSet(
                    -1, 0)) {
                Probe.FIRED.countDown();
                throw new IOException("injected: the probe's state cannot be written");
            }
            LongSerializer.INSTANCE.serialize(record, target);
        }

        @Override
        public Long deserialize(DataInputView source) throws IOException {
            return LongSerializer.INSTANCE.deserialize(source);
        }

        @Override
        public Long deserialize(Long reuse, DataInputView source) throws IOException {
            return deserialize(source);
        }

        @Override
        public void copy(DataInputView source, DataOutputView target) throws IOException {
            LongSerializer.INSTANCE.copy(source, target);
        }

        @Override
        public TypeSerializerSnapshot<Long> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Restores the serializer (the job restores its probe state through it after the failover). */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<Long> {
            public Snapshot() {
                super(FailingLongSerializer::new);
            }
        }
    }
}
