package io.segstream.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KafkaClientSecurity}: the client properties of each mode, resolved by Kafka's own client configuration
 * (its config providers read the mounted secret), and the refusals with their fixes.
 */
class KafkaClientSecurityTest {
    private static final String PASSWORD = "s3cret-Pa55word";

    @TempDir
    Path tmp;
    private Path userSecret;
    private Path caCert;

    @BeforeEach
    void strimziSecrets() throws Exception {
        // a KafkaUser secret and the cluster CA as Strimzi mounts them: one file per key
        userSecret = Files.createDirectories(tmp.resolve("kafka-user"));
        Files.writeString(userSecret.resolve("password"), PASSWORD);
        Files.writeString(userSecret.resolve("user.password"), PASSWORD);
        KeyStore p12 = KeyStore.getInstance("PKCS12");
        p12.load(null, null);
        try (OutputStream out = Files.newOutputStream(userSecret.resolve("user.p12"))) {
            p12.store(out, PASSWORD.toCharArray());
        }
        caCert = Files.writeString(Files.createDirectories(tmp.resolve("kafka-ca")).resolve("ca.crt"),
                "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
    }

    @Test
    void plaintextByDefaultAddsNothing() {
        assertTrue(KafkaClientSecurity.fromEnvironment(Map.of()).isPlaintext());
        assertEquals(Map.of(), KafkaClientSecurity.fromEnvironment(Map.of("HOME", "/root")).clientProperties());
        assertEquals(Map.of(), KafkaClientSecurity.PLAINTEXT.clientProperties());
    }

    @Test
    void scramOverTlsRefersToTheMountedPasswordWhichOnlyKafkasClientReads() {
        KafkaClientSecurity s = KafkaClientSecurity.fromMap(Map.of(
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.username", "segstream-inference",
                "kafka.sasl.password-file", userSecret.resolve("password").toString(),
                "kafka.ssl.truststore", caCert.toString(),
                "bootstrap", "ignored: not a kafka.* key"));
        Map<String, String> props = s.clientProperties();
        String reference = "${dir:" + userSecret + ":password}";
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("security.protocol", "SASL_SSL");
        expected.put("sasl.mechanism", "SCRAM-SHA-512");
        expected.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"segstream-inference\" password=\"" + reference + "\";");
        expected.put("ssl.truststore.location", caCert.toString());
        expected.put("ssl.truststore.type", "PEM");
        expected.put("config.providers", "dir");
        expected.put("config.providers.dir.class", "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
        assertEquals(expected, props);

        ProducerConfig resolved = producerConfig(props);
        assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"segstream-inference\""
                + " password=\"" + PASSWORD + "\";", resolved.getPassword("sasl.jaas.config").value());
        assertFalse(s.toString().contains(PASSWORD), s.toString());
        assertFalse(props.toString().contains(PASSWORD));
        assertFalse(resolved.getPassword("sasl.jaas.config").toString().contains(PASSWORD), "Kafka hides it too");
    }

    @Test
    void mutualTlsUsesTheUsersPkcs12StoreAndItsMountedPassword() {
        KafkaClientSecurity s = KafkaClientSecurity.fromMap(Map.of(
                "kafka.security.protocol", "SSL",
                "kafka.ssl.truststore", caCert.toString(),
                "kafka.ssl.keystore", userSecret.resolve("user.p12").toString(),
                "kafka.ssl.keystore-password-file", userSecret.resolve("user.password").toString()));
        Map<String, String> props = s.clientProperties();
        assertEquals("SSL", props.get("security.protocol"));
        assertEquals(userSecret.resolve("user.p12").toString(), props.get("ssl.keystore.location"));
        assertEquals("PKCS12", props.get("ssl.keystore.type"));
        assertFalse(props.containsKey("sasl.jaas.config"));
        ProducerConfig resolved = producerConfig(props);
        assertEquals(PASSWORD, resolved.getPassword("ssl.keystore.password").value());
        assertEquals(PASSWORD, resolved.getPassword("ssl.key.password").value());
    }

    @Test
    void aPasswordFromTheEnvironmentIsReadByKafkasEnvironmentProvider() {
        // any variable the test JVM has stands in for one a secretKeyRef would set
        String variable = System.getenv().containsKey("HOME") ? "HOME" : "PATH";
        KafkaClientSecurity s = KafkaClientSecurity.fromEnvironment(Map.of(
                "SEGSTREAM_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "SEGSTREAM_KAFKA_SASL_MECHANISM", "SCRAM-SHA-256",
                "SEGSTREAM_KAFKA_SASL_USERNAME", "ingest",
                "SEGSTREAM_KAFKA_SASL_PASSWORD_ENV", variable));
        Map<String, String> props = s.clientProperties();
        assertEquals("SCRAM-SHA-256", props.get("sasl.mechanism"));
        assertEquals("env", props.get("config.providers"));
        assertTrue(producerConfig(props).getPassword("sasl.jaas.config").value()
                .endsWith("password=\"" + System.getenv(variable) + "\";"));
    }

    @Test
    void environmentVariablesAreNamedAfterTheKeys() {
        assertEquals("SEGSTREAM_KAFKA_SASL_PASSWORD_FILE", KafkaClientSecurity.SASL_PASSWORD_FILE.environmentVariable());
        assertEquals("SEGSTREAM_KAFKA_SSL_KEYSTORE_PASSWORD_FILE",
                KafkaClientSecurity.KEYSTORE_PASSWORD_FILE.environmentVariable());
    }

    @Test
    void refusalsSayWhatToFix() {
        assertRefused(Map.of("kafka.security.protocol", "SASL_SSL", "kafka.sasl.username", "u",
                        "kafka.sasl.password", PASSWORD),
                "'kafka.sasl.password' is not accepted: a password on a command line or in a config file leaks into"
                        + " process lists and logs; name a file (kafka.sasl.password-file) or an environment variable"
                        + " (kafka.sasl.password-env); SASL_SSL needs exactly one of 'kafka.sasl.password-file' (a"
                        + " mounted secret) and 'kafka.sasl.password-env' (an environment variable)");
        assertRefused(Map.of("kafka.security.protocol", "SASL_PLAINTEXT"),
                "'kafka.security.protocol' must be one of [PLAINTEXT, SSL, SASL_SSL], got 'SASL_PLAINTEXT' (SASL"
                        + " without TLS sends credentials readably; use SASL_SSL)");
        assertRefused(Map.of("kafka.security.protocol", "SASL_SSL",
                        "kafka.sasl.password-file", userSecret.resolve("password").toString()),
                "SASL_SSL needs 'kafka.sasl.username' (the KafkaUser's name)");
        assertRefused(Map.of("kafka.security.protocol", "SASL_SSL", "kafka.sasl.username", "u"),
                "SASL_SSL needs exactly one of 'kafka.sasl.password-file' (a mounted secret) and"
                        + " 'kafka.sasl.password-env' (an environment variable)");
        assertRefused(Map.of("kafka.security.protocol", "SASL_SSL", "kafka.sasl.username", "u",
                        "kafka.sasl.password-file", tmp.resolve("missing").toString()),
                "'kafka.sasl.password-file': " + tmp.resolve("missing") + " does not exist or cannot be read");
        assertRefused(Map.of("kafka.ssl.truststore", caCert.toString()),
                "'kafka.ssl.truststore' is set but 'kafka.security.protocol' is PLAINTEXT; set it to SSL or SASL_SSL"
                        + " to use TLS");
        assertRefused(Map.of("kafka.security.protocol", "SSL",
                        "kafka.ssl.truststore", userSecret.resolve("user.p12").toString()),
                "the truststore " + userSecret.resolve("user.p12") + " is a PKCS12 store and needs"
                        + " 'kafka.ssl.truststore-password-file'");
        assertRefused(Map.of("kafka.security.protocol", "SSL",
                        "kafka.ssl.keystore", userSecret.resolve("user.p12").toString()),
                "the keystore " + userSecret.resolve("user.p12") + " needs 'kafka.ssl.keystore-password-file'");
        assertRefused(Map.of("kafka.sasl.user", "u"), "unknown option 'kafka.sasl.user' (known: [kafka.security.protocol,"
                + " kafka.sasl.mechanism, kafka.sasl.username, kafka.sasl.password-file, kafka.sasl.password-env,"
                + " kafka.ssl.truststore, kafka.ssl.truststore-password-file, kafka.ssl.keystore,"
                + " kafka.ssl.keystore-password-file])");
    }

    private static void assertRefused(Map<String, String> settings, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KafkaClientSecurity.fromMap(settings));
        assertEquals("Kafka client security: " + problem, e.getMessage());
        assertFalse(e.getMessage().contains(PASSWORD), "a refusal never repeats a password");
    }

    /** Kafka's own producer configuration of {@code props}: config providers resolved, as a client starting does. */
    private static ProducerConfig producerConfig(Map<String, String> props) {
        Properties all = new Properties();
        all.putAll(props);
        all.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9093");
        all.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        all.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new ProducerConfig(all);
    }
}
