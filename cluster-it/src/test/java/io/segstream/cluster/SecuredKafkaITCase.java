package io.segstream.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segstream.connectors.kafka.AvroKafkaProducer;
import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.KafkaClientConfigs;
import io.segstream.connectors.kafka.KafkaClientSecurity;
import io.segstream.inference.Frames;
import io.segstream.schemas.CameraFrame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * segstream's Kafka clients against a real broker secured as Strimzi secures one, configured only through
 * {@link KafkaClientSecurity}: SCRAM-SHA-512 over TLS, and TLS with a client certificate. Secrets come from the
 * mounted files; a wrong password or a missing client certificate is refused by the broker.
 */
class SecuredKafkaITCase {
    @TempDir
    static Path tmp;
    private static SecuredBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = SecuredBroker.start(tmp.resolve("broker"));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static KafkaClientSecurity scram(Path passwordFile) {
        return KafkaClientSecurity.fromMap(Map.of(
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.username", SecuredBroker.SCRAM_USER,
                "kafka.sasl.password-file", passwordFile.toString(),
                "kafka.ssl.truststore", broker.caCert().toString()));
    }

    private static KafkaClientSecurity mutualTls() {
        return KafkaClientSecurity.fromMap(Map.of(
                "kafka.security.protocol", "SSL",
                "kafka.ssl.truststore", broker.caCert().toString(),
                "kafka.ssl.keystore", broker.userSecret().resolve("user.p12").toString(),
                "kafka.ssl.keystore-password-file", broker.userSecret().resolve("user.password").toString()));
    }

    @Test
    void framesTravelOverScramAndTls() throws Exception {
        roundTrip(broker.saslBootstrap(), broker.scram(), "scram.frames");
    }

    @Test
    void framesTravelOverMutualTls() throws Exception {
        roundTrip(broker.mtlsBootstrap(), mutualTls(), "mtls.frames");
    }

    @Test
    void aWrongPasswordIsRefusedByTheBroker() throws Exception {
        Path wrong = Files.writeString(Files.createDirectories(tmp.resolve("wrong")).resolve("password"), "guess");
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> listTopics(broker.saslBootstrap(), scram(wrong)));
        assertInstanceOf(SaslAuthenticationException.class, e.getCause(), e.toString());
    }

    @Test
    void noClientCertificateIsRefusedOnTheMutualTlsListener() {
        KafkaClientSecurity serverAuthOnly = KafkaClientSecurity.fromMap(Map.of(
                "kafka.security.protocol", "SSL", "kafka.ssl.truststore", broker.caCert().toString()));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> listTopics(broker.mtlsBootstrap(), serverAuthOnly));
        assertInstanceOf(SslAuthenticationException.class, e.getCause(), e.toString());
    }

    private static void roundTrip(String bootstrap, KafkaClientSecurity security, String topic) throws Exception {
        Properties admin = KafkaClientConfigs.admin(bootstrap);
        admin.putAll(security.clientProperties());
        try (Admin a = Admin.create(admin)) {
            a.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        AvroKafkaProducer.Builder<CameraFrame> producerBuilder = AvroKafkaProducer.builder(CameraFrame.class)
                .setBootstrapServers(bootstrap).setTopic(topic);
        security.clientProperties().forEach(producerBuilder::optProperty);
        try (AvroKafkaProducer<CameraFrame> producer = producerBuilder.build()) {
            for (long seq = 0; seq < 3; seq++) {
                producer.sendAndWait(Frames.frame("cam-secure", seq, seq == 1));
            }
        }
        AvroTopicReader.Builder<CameraFrame> readerBuilder = AvroTopicReader.builder(CameraFrame.class)
                .setBootstrapServers(bootstrap).setTopic(topic);
        security.clientProperties().forEach(readerBuilder::optProperty);
        try (AvroTopicReader<CameraFrame> reader = readerBuilder.build()) {
            assertEquals(List.of(0L, 1L, 2L), reader.readAtLeast(3, Duration.ofSeconds(60)).stream()
                    .map(CameraFrame::getSeq).toList());
        }
    }

    private static void listTopics(String bootstrap, KafkaClientSecurity security) throws Exception {
        Properties admin = KafkaClientConfigs.admin(bootstrap);
        admin.putAll(security.clientProperties());
        try (Admin a = Admin.create(admin)) {
            a.listTopics().names().get(60, TimeUnit.SECONDS);
        }
    }
}
