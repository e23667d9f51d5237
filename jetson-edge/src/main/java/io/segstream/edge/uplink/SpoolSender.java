package io.segstream.edge.uplink;

import io.segstream.connectors.kafka.KafkaClientConfigs;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.edge.spool.DiskSpool;
import io.segstream.edge.spool.RecordKind;
import io.segstream.edge.spool.SpoolRecord;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards the spool to Kafka on its own thread: takes records of each kind in index order (alerts first, then masks,
 * then frames), sends them with an idempotent producer ({@code acks=all}, one request in flight per connection, so a
 * camera's records reach their partition in order) and reports each kind's first unacknowledged record to the spool,
 * which removes what lies below it.
 *
 * <pre>
 *   DiskSpool ──next()──▶ in flight (≤ N records, ≤ B bytes, in memory) ──send──▶ KafkaProducer ──ack──▶ delivered()
 *                              ▲                                                      │
 *                              └──── failed: fresh producer, back-off, send again ◀───┘
 * </pre>
 *
 * <p>While the uplink is down, records wait on disk, not in the producer: at most the in-flight window is in memory.
 * When a send fails (the producer gave up after its delivery timeout, or found no metadata), the producer is closed,
 * every record still in flight is kept, nothing new is sent, and after a back-off a fresh producer sends the oldest
 * record of each kind again alone; once Kafka acknowledged it, the rest of that kind's window follows in index order,
 * and only then anything newer. So a record never goes out while an older one of its topic waits to be sent again, and
 * a probe that fails (the uplink is still down) leaves nothing later behind in a producer. A failed send also closes
 * its producer at once, from Kafka's own thread: Kafka goes on with later batches when it gives up on one, and those
 * must not reach the topic before the failed records are sent again. The bytes and key are the spooled ones, so a
 * record that did reach the broker before the failure arrives a second time with the same key and value (its Kafka
 * timestamp is each copy's send time: the broker keeps what arrives after a long outage for the topic's whole
 * retention). A record Kafka can never take (too large, invalid) is dropped with a log line and counted in
 * {@link #undeliverable()}, so that it cannot block the rest. Masks and frames go out no faster than the catch-up rate;
 * alerts are never held back by it.
 */
public final class SpoolSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolSender.class);
    private static final long IDLE_WAIT_MS = 50;

    private final DiskSpool spool;
    private final Map<RecordKind, String> topics;
    private final String bootstrap;
    private final SenderOptions options;
    private final LongSupplier nanoClock = System::nanoTime;
    private final TokenBucket catchUp;
    private final Map<RecordKind, TreeMap<Long, SpoolRecord>> inFlight = new EnumMap<>(RecordKind.class);
    /** Per kind, the records in flight that the current producer does not hold: a failure closed the one that did. */
    private final Map<RecordKind, TreeMap<Long, SpoolRecord>> unsent = new EnumMap<>(RecordKind.class);
    /** Per kind, the oldest record in flight, sent again alone after a failure and not yet acknowledged. */
    private final Map<RecordKind, SpoolRecord> probes = new EnumMap<>(RecordKind.class);
    private final BlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private final Map<RecordKind, AtomicLong> sent = new EnumMap<>(RecordKind.class);
    private final AtomicLong resent = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong undeliverable = new AtomicLong();
    private final Thread thread;
    private FailStopProducer producer;
    private long inFlightBytes;
    private boolean failed;
    private boolean resendDue;
    /** Since the uplink came back after an outage: when, records and bytes sent; -1 when not catching up. */
    private long catchUpSinceNanos = -1;
    private long catchUpRecords;
    private long catchUpBytes;
    /** When a completion last arrived, or the window last went from empty to non-empty. */
    private long lastProgressNanos;
    private long retryAtNanos;
    private Duration backoff;
    private volatile boolean uplinkUp;
    private volatile String lastError;
    private volatile long downSinceNanos = -1;
    private volatile long drainDeadlineNanos = Long.MAX_VALUE;
    private volatile boolean stopping;

    /** Each kind's topic among {@code topics}: alerts, masks and frames. */
    public static Map<RecordKind, String> topicsOf(SegstreamTopics topics) {
        Map<RecordKind, String> out = new EnumMap<>(RecordKind.class);
        out.put(RecordKind.ALERT, topics.alerts());
        out.put(RecordKind.MASK, topics.masks());
        out.put(RecordKind.FRAME, topics.frames());
        return out;
    }

    /**
     * @param topics    topic per kind
     * @param bootstrap Kafka's {@code host:port[,host:port]}
     */
    public SpoolSender(DiskSpool spool, Map<RecordKind, String> topics, String bootstrap, SenderOptions options) {
        this.spool = Objects.requireNonNull(spool, "spool");
        this.topics = Map.copyOf(topics);
        this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
        this.options = Objects.requireNonNull(options, "options");
        for (RecordKind k : RecordKind.values()) {
            if (!this.topics.containsKey(k)) {
                throw new IllegalArgumentException("no topic for " + k.label() + " records");
            }
            inFlight.put(k, new TreeMap<>());
            unsent.put(k, new TreeMap<>());
            sent.put(k, new AtomicLong());
        }
        this.catchUp = new TokenBucket(options.catchUpBytesPerSecond(), nanoClock);
        this.backoff = options.minBackoff();
        this.thread = new Thread(this::run, "spool-sender");
        this.thread.setDaemon(true);
    }

    /** Starts forwarding. */
    public void start() {
        producer = newProducer();
        thread.start();
    }

    private FailStopProducer newProducer() {
        Properties props = KafkaClientConfigs.producer(bootstrap);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "segstream-edge");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(options.deliveryTimeout().toMillis()));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(options.requestTimeout().toMillis()));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(options.metadataTimeout().toMillis()));
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new FailStopProducer(new KafkaProducer<>(props));
    }

    private void run() {
        try {
            while (true) {
                takeCompletions(IDLE_WAIT_MS);
                checkStalled();
                if (failed) {
                    replaceProducer();
                    continue;
                }
                if (resendDue && nanoClock.getAsLong() >= retryAtNanos) {
                    sendProbes();
                }
                boolean idle = fillWindow();
                reportDelivered();
                if (stopping && (idle && inFlightCount() == 0 || nanoClock.getAsLong() > drainDeadlineNanos)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("the spool sender failed; records stay in the spool for the next start", e);
        } finally {
            producer.close(Duration.ofMillis(500));
            // acknowledgements that came in while closing still count: those records are not sent again next start
            for (Completion c = completions.poll(); c != null; c = completions.poll()) {
                complete(c);
            }
            reportDelivered();
        }
    }

    /**
     * Hands spooled records to the producer while the window has room, each kind's records not yet sent again after a
     * failure first; true when nothing was left to send.
     */
    private boolean fillWindow() throws InterruptedException {
        // after a failure (a refused probe included) the producer is replaced first: a newer record sent here could
        // reach Kafka, on a producer that answers again, before the older ones the failure left in flight
        if (failed || resendDue) {
            return false;
        }
        boolean sentAny = false;
        for (RecordKind kind : RecordKind.values()) {
            if (probes.containsKey(kind)) {
                continue;
            }
            TreeMap<Long, SpoolRecord> again = unsent.get(kind);
            while (!again.isEmpty()) {
                send(again.pollFirstEntry().getValue());
                resent.incrementAndGet();
                sentAny = true;
                takeCompletions(0);
                if (failed) {
                    return false;
                }
            }
            // one alert in flight at a time: when the producer expires an earlier batch (the tail of an outage) it
            // still sends later ones, so a later alert could land before an earlier one is sent again. Alerts are
            // few, so waiting for each acknowledgement costs nothing and keeps raises and clears in order
            while (windowHasRoom() && (kind != RecordKind.ALERT || inFlight.get(kind).isEmpty())) {
                if (kind != RecordKind.ALERT && !catchUp.ready()) {
                    return false;
                }
                List<SpoolRecord> next = spool.next(kind, 1);
                if (next.isEmpty()) {
                    break;
                }
                SpoolRecord r = next.get(0);
                if (inFlightCount() == 0) {
                    lastProgressNanos = nanoClock.getAsLong();
                }
                inFlight.get(kind).put(r.index(), r);
                inFlightBytes += r.value().length;
                if (kind != RecordKind.ALERT) {
                    catchUp.take(r.value().length);
                }
                send(r);
                sentAny = true;
                // a refusal (no metadata while the uplink is down) is reported at once: stop filling the window
                takeCompletions(0);
                if (failed) {
                    return false;
                }
            }
        }
        return !sentAny && windowHasRoom();
    }

    private boolean windowHasRoom() {
        return inFlightCount() < options.maxInFlightRecords() && inFlightBytes < options.maxInFlightBytes();
    }

    private int inFlightCount() {
        int n = 0;
        for (TreeMap<Long, SpoolRecord> m : inFlight.values()) {
            n += m.size();
        }
        return n;
    }

    private void send(SpoolRecord r) {
        // stamped with the send time, not the spooled capture time: after an outage longer than a topic's retention,
        // records stamped with their capture times would be deleted by the broker as soon as they arrived
        ProducerRecord<byte[], byte[]> pr = new ProducerRecord<>(topics.get(r.kind()), null, null, r.key(), r.value());
        FailStopProducer p = producer;
        try {
            p.send(pr, (metadata, error) -> completions.add(new Completion(p, r, error)));
        } catch (RuntimeException e) {
            // refusals before the record was queued (no metadata within the timeout, closed producer)
            completions.add(new Completion(p, r, e));
        }
    }

    private void takeCompletions(long waitMs) throws InterruptedException {
        Completion c = completions.poll(waitMs, TimeUnit.MILLISECONDS);
        while (c != null) {
            complete(c);
            c = completions.poll();
        }
    }

    private void complete(Completion c) {
        lastProgressNanos = nanoClock.getAsLong();
        SpoolRecord r = c.record;
        if (inFlight.get(r.kind()).get(r.index()) != r) {
            return;
        }
        if (c.error == null) {
            remove(r);
            // the probe is through: the rest of its kind's window goes out next (fillWindow)
            probes.remove(r.kind(), r);
            sent.get(r.kind()).incrementAndGet();
            if (catchUpSinceNanos >= 0) {
                catchUpRecords++;
                catchUpBytes += r.value().length;
            }
            if (!uplinkUp) {
                if (downSinceNanos >= 0) {
                    LOG.info("uplink to {} is back after {} s; sending the spool ({})", bootstrap,
                            (nanoClock.getAsLong() - downSinceNanos) / 1_000_000_000L, spool);
                    catchUpSinceNanos = nanoClock.getAsLong();
                    catchUpRecords = 1;
                    catchUpBytes = r.value().length;
                }
                uplinkUp = true;
                downSinceNanos = -1;
            }
            backoff = options.minBackoff();
            return;
        }
        if (undeliverable(c.error)) {
            remove(r);
            probes.remove(r.kind(), r);
            undeliverable.incrementAndGet();
            LOG.warn("Kafka refuses {} for good ({}); dropped from the spool so that it cannot block the records after"
                    + " it ({} such records so far)", r, c.error.getMessage(), undeliverable.get());
            return;
        }
        if (c.producer != producer) {
            // the late answers of a producer that a handled failure closed: its records are in flight, sent again
            return;
        }
        failures.incrementAndGet();
        fail(c.error.getClass().getSimpleName() + ": " + c.error.getMessage());
    }

    /** Whether Kafka refuses the record for good, so that sending it again cannot help. */
    private static boolean undeliverable(Exception error) {
        return error instanceof RecordTooLargeException || error instanceof InvalidRecordException
                || error instanceof SerializationException;
    }

    private void fail(String error) {
        lastError = error;
        if (!failed) {
            failed = true;
            if (uplinkUp || downSinceNanos < 0) {
                downSinceNanos = nanoClock.getAsLong();
                LOG.warn("uplink to {} is down ({}); records stay in the spool and go out when it is back", bootstrap,
                        lastError);
            }
            uplinkUp = false;
        }
    }

    /**
     * Treats records in flight with no answer for longer than the delivery timeout as failed. Kafka's producer
     * expires them itself in most cases, but not while it waits for a new producer id from a broker that is gone.
     */
    private void checkStalled() {
        if (failed || resendDue || inFlightCount() == 0) {
            return;
        }
        long silent = nanoClock.getAsLong() - lastProgressNanos;
        if (silent > options.deliveryTimeout().plus(options.requestTimeout()).toNanos()) {
            failures.incrementAndGet();
            fail("no acknowledgement from Kafka for " + silent / 1_000_000_000L + " s");
        }
    }

    private void remove(SpoolRecord r) {
        inFlight.get(r.kind()).remove(r.index());
        unsent.get(r.kind()).remove(r.index());
        inFlightBytes -= r.value().length;
    }

    /** After a failure: a fresh producer, and a back-off before the records in flight are sent again. */
    private void replaceProducer() throws InterruptedException {
        producer.close(Duration.ZERO);
        // closing fails whatever the old producer still held; those records stay in flight and are sent again. When
        // the failure closed it already (from Kafka's thread, which does not wait), the rest of its answers may come
        // after this: complete() takes their acknowledgements and ignores their failures
        takeCompletions(0);
        producer = newProducer();
        for (RecordKind kind : RecordKind.values()) {
            unsent.get(kind).putAll(inFlight.get(kind));
        }
        probes.clear();
        failed = false;
        resendDue = true;
        retryAtNanos = nanoClock.getAsLong() + backoff.toNanos();
        backoff = backoff.multipliedBy(2).compareTo(options.maxBackoff()) > 0 ? options.maxBackoff()
                : backoff.multipliedBy(2);
    }

    /**
     * Sends the oldest record in flight of each kind again, alone; the rest of that kind's window waits for its
     * acknowledgement. While the uplink is still down, the probe fails and leaves no later record behind in a producer
     * that could deliver it first: when Kafka expires one batch it goes on sending the next ones. Stops at the first
     * refusal (the probes are sent again after the next back-off).
     */
    private void sendProbes() throws InterruptedException {
        resendDue = false;
        lastProgressNanos = nanoClock.getAsLong();
        for (RecordKind kind : RecordKind.values()) {
            TreeMap<Long, SpoolRecord> again = unsent.get(kind);
            if (again.isEmpty()) {
                continue;
            }
            SpoolRecord probe = again.pollFirstEntry().getValue();
            probes.put(kind, probe);
            send(probe);
            resent.incrementAndGet();
            takeCompletions(0);
            if (failed) {
                return;
            }
        }
    }

    private void reportDelivered() {
        for (RecordKind kind : RecordKind.values()) {
            TreeMap<Long, SpoolRecord> pending = inFlight.get(kind);
            spool.delivered(kind, pending.isEmpty() ? spool.handedUpTo(kind) : pending.firstKey());
        }
        if (catchUpSinceNanos >= 0 && inFlightCount() == 0 && spool.pending() == 0) {
            double seconds = Math.max(1e-3, (nanoClock.getAsLong() - catchUpSinceNanos) / 1e9);
            LOG.info("caught up after the outage: {} records, {} MB in {} s ({} records/s, {} MB/s), live records"
                    + " included", catchUpRecords, String.format(Locale.ROOT, "%.1f", catchUpBytes / 1e6),
                    String.format(Locale.ROOT, "%.1f", seconds),
                    String.format(Locale.ROOT, "%.0f", catchUpRecords / seconds),
                    String.format(Locale.ROOT, "%.1f", catchUpBytes / 1e6 / seconds));
            catchUpSinceNanos = -1;
        }
    }

    /** Records of {@code kind} acknowledged by Kafka since the start. */
    public long sent(RecordKind kind) {
        return sent.get(kind).get();
    }

    /** Records sent again after a failed send. */
    public long resent() {
        return resent.get();
    }

    /** Sends that failed (each retried). */
    public long failures() {
        return failures.get();
    }

    /** Records Kafka refused for good, dropped. */
    public long undeliverable() {
        return undeliverable.get();
    }

    /** Whether the last send succeeded. */
    public boolean uplinkUp() {
        return uplinkUp;
    }

    /** Seconds the uplink has been down, 0 while it is up. */
    public long uplinkDownSeconds() {
        long since = downSinceNanos;
        return since < 0 ? 0 : (nanoClock.getAsLong() - since) / 1_000_000_000L;
    }

    /** The last send error, or null. */
    public String lastError() {
        return lastError;
    }

    /**
     * Sends what the spool holds for at most {@code timeout}, then stops; what is left stays in the spool for the next
     * start.
     */
    public void drainAndStop(Duration timeout) {
        drainDeadlineNanos = nanoClock.getAsLong() + timeout.toNanos();
        stopping = true;
        try {
            thread.join(timeout.toMillis() + 2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
    }

    @Override
    public void close() {
        drainAndStop(Duration.ZERO);
    }

    private record Completion(FailStopProducer producer, SpoolRecord record, Exception error) {}

    /**
     * A Kafka producer that its first failed send closes, from the callback on Kafka's I/O thread, before the sender
     * thread even sees the failure: when Kafka gives up on one batch (its delivery timeout) it goes on with the later
     * ones, and those must not reach the topic before the failed records are sent again. Closed from a callback, a
     * producer stops at once and sends nothing more. Records Kafka refuses for good do not close it.
     */
    private static final class FailStopProducer {
        private final Producer<byte[], byte[]> kafka;
        private final AtomicBoolean closed = new AtomicBoolean();

        FailStopProducer(Producer<byte[], byte[]> kafka) {
            this.kafka = kafka;
        }

        void send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            kafka.send(record, (metadata, error) -> {
                // the failure first: closing fails the records still held, and the log names the first error
                callback.onCompletion(metadata, error);
                if (error != null && !undeliverable(error)) {
                    close(Duration.ZERO);
                }
            });
        }

        /**
         * Closes the producer, waiting up to {@code timeout} for what it holds (no wait on Kafka's thread); once only,
         * so that a failure's close and the sender's never run into each other.
         */
        void close(Duration timeout) {
            if (closed.compareAndSet(false, true)) {
                try {
                    kafka.close(timeout);
                } catch (RuntimeException e) {
                    LOG.warn("closing the Kafka producer failed", e);
                }
            }
        }
    }
}
