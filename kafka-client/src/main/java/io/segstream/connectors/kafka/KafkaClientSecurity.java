package io.segstream.connectors.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * How every segstream Kafka client (the job on its TaskManagers, ingest, retrain, the CLI) authenticates to a secured
 * cluster: one set of options for {@code SASL_SSL} with SCRAM, and for TLS with a client certificate (mTLS), as
 * Strimzi's {@code KafkaUser} secrets provide them. Parsed once from a map ({@code kafka.*} keys) or from the
 * environment ({@code SEGSTREAM_KAFKA_*}), validated with messages that say what to fix.
 *
 * <p>Secrets never pass through segstream's code: passwords are named as a file (a mounted secret) or an environment
 * variable, and the client properties only refer to them ({@code ${dir:/etc/kafka-user:password}},
 * {@code ${env:SEGSTREAM_KAFKA_SASL_PASSWORD}}), resolved by the Kafka client itself through its config providers
 * when it starts. So a Flink job graph carries the reference, not the password, the reference is resolved on the
 * TaskManager that opens the connection, and neither {@link #toString()} nor any log line shows a secret. A password
 * on the command line is refused.
 *
 * <pre>{@code
 * // SCRAM over TLS, Strimzi's KafkaUser secret mounted at /etc/kafka-user, the cluster CA at /etc/kafka-ca
 * KafkaClientSecurity s = KafkaClientSecurity.fromMap(Map.of(
 *         "kafka.security.protocol", "SASL_SSL",
 *         "kafka.sasl.username", "segstream-inference",
 *         "kafka.sasl.password-file", "/etc/kafka-user/password",
 *         "kafka.ssl.truststore", "/etc/kafka-ca/ca.crt"));
 * props.putAll(s.clientProperties());
 * }</pre>
 */
public final class KafkaClientSecurity {
    /** One typed option: key, default and description; its environment variable is derived from the key. */
    public record Option(String key, String defaultValue, String description) {
        /** {@code kafka.sasl.password-file} → {@code SEGSTREAM_KAFKA_SASL_PASSWORD_FILE}. */
        public String environmentVariable() {
            return "SEGSTREAM_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        }
    }

    public static final Option PROTOCOL = new Option("kafka.security.protocol", "PLAINTEXT",
            "PLAINTEXT, SSL (TLS; with kafka.ssl.keystore a client certificate: mTLS) or SASL_SSL (SCRAM over TLS)");
    public static final Option SASL_MECHANISM = new Option("kafka.sasl.mechanism", "SCRAM-SHA-512",
            "SCRAM-SHA-512 (Strimzi's scram-sha-512 authentication) or SCRAM-SHA-256");
    public static final Option SASL_USERNAME = new Option("kafka.sasl.username", "",
            "SASL_SSL: the SCRAM user (the KafkaUser's name)");
    public static final Option SASL_PASSWORD_FILE = new Option("kafka.sasl.password-file", "",
            "SASL_SSL: a file holding the user's password (the KafkaUser secret's 'password', mounted)");
    public static final Option SASL_PASSWORD_ENV = new Option("kafka.sasl.password-env", "",
            "SASL_SSL: instead of a file, the environment variable holding the password (e.g. from a secretKeyRef)");
    public static final Option TRUSTSTORE = new Option("kafka.ssl.truststore", "",
            "The CA certificates the brokers' certificates are checked against: a PEM file (Strimzi's ca.crt), or a"
                    + " PKCS12 (.p12) or JKS (.jks) store; empty = the JVM's default CAs");
    public static final Option TRUSTSTORE_PASSWORD_FILE = new Option("kafka.ssl.truststore-password-file", "",
            "A file holding the truststore's password (PKCS12 or JKS truststores only; Strimzi's ca.password)");
    public static final Option KEYSTORE = new Option("kafka.ssl.keystore", "",
            "mTLS: the client's certificate and key as a PKCS12 (.p12, Strimzi's user.p12) or JKS (.jks) store");
    public static final Option KEYSTORE_PASSWORD_FILE = new Option("kafka.ssl.keystore-password-file", "",
            "mTLS: a file holding the keystore's password (Strimzi's user.password)");

    /** Every option, in the order help lists them. */
    public static final List<Option> ALL = List.of(PROTOCOL, SASL_MECHANISM, SASL_USERNAME, SASL_PASSWORD_FILE,
            SASL_PASSWORD_ENV, TRUSTSTORE, TRUSTSTORE_PASSWORD_FILE, KEYSTORE, KEYSTORE_PASSWORD_FILE);

    /** No security: plain connections, as the embedded broker and local runs use. */
    public static final KafkaClientSecurity PLAINTEXT = new KafkaClientSecurity(defaults());

    private static final List<String> PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_SSL");
    private static final List<String> MECHANISMS = List.of("SCRAM-SHA-512", "SCRAM-SHA-256");

    private final Map<String, String> values;

    private KafkaClientSecurity(Map<String, String> values) {
        this.values = values;
    }

    /**
     * Parses and validates {@code settings} ({@code kafka.*} keys; other keys are ignored, so a whole options map
     * may be passed).
     *
     * @throws IllegalArgumentException naming every problem and its fix
     */
    public static KafkaClientSecurity fromMap(Map<String, String> settings) {
        List<String> problems = new ArrayList<>();
        if (settings.containsKey("kafka.sasl.password")) {
            problems.add("'kafka.sasl.password' is not accepted: a password on a command line or in a config file"
                    + " leaks into process lists and logs; name a file (kafka.sasl.password-file) or an environment"
                    + " variable (kafka.sasl.password-env)");
        }
        Map<String, String> values = defaults();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (!e.getKey().startsWith("kafka.") || e.getKey().equals("kafka.sasl.password")) {
                continue;
            }
            if (!values.containsKey(e.getKey())) {
                problems.add("unknown option '" + e.getKey() + "' (known: " + ALL.stream().map(Option::key).toList()
                        + ")");
                continue;
            }
            values.put(e.getKey(), e.getValue().trim());
        }
        KafkaClientSecurity security = new KafkaClientSecurity(values);
        security.sanityCheck(problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Kafka client security: " + String.join("; ", problems));
        }
        return security;
    }

    /**
     * The options from environment variables ({@code SEGSTREAM_KAFKA_SECURITY_PROTOCOL},
     * {@code SEGSTREAM_KAFKA_SASL_USERNAME}, {@code SEGSTREAM_KAFKA_SASL_PASSWORD_FILE}, ... — see
     * {@link Option#environmentVariable()}), for processes whose command line the user does not write (TaskManagers).
     */
    public static KafkaClientSecurity fromEnvironment(Map<String, String> environment) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (Option o : ALL) {
            String value = environment.get(o.environmentVariable());
            if (value != null && !value.isBlank()) {
                settings.put(o.key(), value);
            }
        }
        return fromMap(settings);
    }

    private static Map<String, String> defaults() {
        Map<String, String> values = new LinkedHashMap<>();
        ALL.forEach(o -> values.put(o.key(), o.defaultValue()));
        return values;
    }

    private void sanityCheck(List<String> problems) {
        String protocol = get(PROTOCOL);
        if (!PROTOCOLS.contains(protocol)) {
            problems.add("'" + PROTOCOL.key() + "' must be one of " + PROTOCOLS + ", got '" + protocol + "'"
                    + (protocol.equals("SASL_PLAINTEXT") ? " (SASL without TLS sends credentials readably; use"
                    + " SASL_SSL)" : ""));
            return;
        }
        boolean sasl = protocol.equals("SASL_SSL");
        if (sasl) {
            if (!MECHANISMS.contains(get(SASL_MECHANISM))) {
                problems.add("'" + SASL_MECHANISM.key() + "' must be one of " + MECHANISMS + ", got '"
                        + get(SASL_MECHANISM) + "'");
            }
            if (get(SASL_USERNAME).isEmpty()) {
                problems.add("SASL_SSL needs '" + SASL_USERNAME.key() + "' (the KafkaUser's name)");
            } else if (get(SASL_USERNAME).contains("\"") || get(SASL_USERNAME).contains("\\")) {
                problems.add("'" + SASL_USERNAME.key() + "' must not contain quotes or backslashes");
            }
            boolean file = !get(SASL_PASSWORD_FILE).isEmpty();
            boolean env = !get(SASL_PASSWORD_ENV).isEmpty();
            if (file == env) {
                problems.add("SASL_SSL needs exactly one of '" + SASL_PASSWORD_FILE.key() + "' (a mounted secret) and '"
                        + SASL_PASSWORD_ENV.key() + "' (an environment variable)");
            }
            if (file) {
                secretFile(problems, SASL_PASSWORD_FILE);
            }
            if (env && !get(SASL_PASSWORD_ENV).matches("[A-Za-z_][A-Za-z0-9_]*")) {
                problems.add("'" + SASL_PASSWORD_ENV.key() + "' must name an environment variable, got '"
                        + get(SASL_PASSWORD_ENV) + "'");
            }
        } else {
            for (Option o : List.of(SASL_USERNAME, SASL_PASSWORD_FILE, SASL_PASSWORD_ENV)) {
                if (!get(o).isEmpty()) {
                    problems.add("'" + o.key() + "' is set but '" + PROTOCOL.key() + "' is " + protocol
                            + "; set it to SASL_SSL to log in with SCRAM");
                }
            }
        }
        if (protocol.equals("PLAINTEXT")) {
            for (Option o : List.of(TRUSTSTORE, TRUSTSTORE_PASSWORD_FILE, KEYSTORE, KEYSTORE_PASSWORD_FILE)) {
                if (!get(o).isEmpty()) {
                    problems.add("'" + o.key() + "' is set but '" + PROTOCOL.key() + "' is PLAINTEXT; set it to SSL"
                            + " or SASL_SSL to use TLS");
                }
            }
            return;
        }
        if (!get(TRUSTSTORE).isEmpty()) {
            readable(problems, TRUSTSTORE);
            boolean pem = storeType(get(TRUSTSTORE)).equals("PEM");
            if (pem && !get(TRUSTSTORE_PASSWORD_FILE).isEmpty()) {
                problems.add("'" + TRUSTSTORE_PASSWORD_FILE.key() + "' is set but the truststore is a PEM file, which"
                        + " has no password");
            } else if (!pem && get(TRUSTSTORE_PASSWORD_FILE).isEmpty()) {
                problems.add("the truststore " + get(TRUSTSTORE) + " is a " + storeType(get(TRUSTSTORE))
                        + " store and needs '" + TRUSTSTORE_PASSWORD_FILE.key() + "'");
            }
        } else if (!get(TRUSTSTORE_PASSWORD_FILE).isEmpty()) {
            problems.add("'" + TRUSTSTORE_PASSWORD_FILE.key() + "' is set without '" + TRUSTSTORE.key() + "'");
        }
        if (!get(TRUSTSTORE_PASSWORD_FILE).isEmpty()) {
            secretFile(problems, TRUSTSTORE_PASSWORD_FILE);
        }
        if (!get(KEYSTORE).isEmpty()) {
            readable(problems, KEYSTORE);
            if (storeType(get(KEYSTORE)).equals("PEM")) {
                problems.add("'" + KEYSTORE.key() + "' must be a PKCS12 (.p12) or JKS (.jks) store, got "
                        + get(KEYSTORE) + " (Strimzi's KafkaUser secret holds user.p12 and user.password)");
            }
            if (get(KEYSTORE_PASSWORD_FILE).isEmpty()) {
                problems.add("the keystore " + get(KEYSTORE) + " needs '" + KEYSTORE_PASSWORD_FILE.key() + "'");
            } else {
                secretFile(problems, KEYSTORE_PASSWORD_FILE);
            }
        } else if (!get(KEYSTORE_PASSWORD_FILE).isEmpty()) {
            problems.add("'" + KEYSTORE_PASSWORD_FILE.key() + "' is set without '" + KEYSTORE.key() + "'");
        }
    }

    private void readable(List<String> problems, Option o) {
        if (!Files.isReadable(Path.of(get(o)))) {
            problems.add("'" + o.key() + "': " + get(o) + " does not exist or cannot be read");
        }
    }

    private void secretFile(List<String> problems, Option o) {
        String file = get(o);
        Path path = Path.of(file);
        if (path.getFileName() == null || path.getParent() == null || file.contains(":")) {
            problems.add("'" + o.key() + "' must be a file path without ':' below a folder, got '" + file + "'");
            return;
        }
        readable(problems, o);
    }

    private static String storeType(String file) {
        String name = file.toLowerCase(Locale.ROOT);
        if (name.endsWith(".p12") || name.endsWith(".pfx")) {
            return "PKCS12";
        }
        return name.endsWith(".jks") ? "JKS" : "PEM";
    }

    /** The value of {@code option}, its default when not set. */
    public String get(Option option) {
        return Objects.requireNonNull(values.get(option.key()), option.key());
    }

    /** Whether clients connect in plain text (the default). */
    public boolean isPlaintext() {
        return get(PROTOCOL).equals("PLAINTEXT");
    }

    /**
     * The Kafka client properties (producer, consumer, admin alike), secrets as config-provider references only.
     * Empty for PLAINTEXT, so unsecured setups see no change.
     */
    public Map<String, String> clientProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        if (isPlaintext()) {
            return props;
        }
        Map<String, String> providers = new LinkedHashMap<>();
        Function<Option, String> secret = o -> {
            if (o == SASL_PASSWORD_ENV) {
                providers.put("env", "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
                return "${env:" + get(o) + "}";
            }
            providers.put("dir", "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
            Path file = Path.of(get(o)).toAbsolutePath();
            return "${dir:" + file.getParent() + ":" + file.getFileName() + "}";
        };
        props.put("security.protocol", get(PROTOCOL));
        if (get(PROTOCOL).equals("SASL_SSL")) {
            String password = secret.apply(get(SASL_PASSWORD_FILE).isEmpty() ? SASL_PASSWORD_ENV : SASL_PASSWORD_FILE);
            props.put("sasl.mechanism", get(SASL_MECHANISM));
            props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"" + get(SASL_USERNAME) + "\" password=\"" + password + "\";");
        }
        if (!get(TRUSTSTORE).isEmpty()) {
            props.put("ssl.truststore.location", get(TRUSTSTORE));
            props.put("ssl.truststore.type", storeType(get(TRUSTSTORE)));
            if (!get(TRUSTSTORE_PASSWORD_FILE).isEmpty()) {
                props.put("ssl.truststore.password", secret.apply(TRUSTSTORE_PASSWORD_FILE));
            }
        }
        if (!get(KEYSTORE).isEmpty()) {
            props.put("ssl.keystore.location", get(KEYSTORE));
            props.put("ssl.keystore.type", storeType(get(KEYSTORE)));
            String password = secret.apply(KEYSTORE_PASSWORD_FILE);
            props.put("ssl.keystore.password", password);
            props.put("ssl.key.password", password);
        }
        if (!providers.isEmpty()) {
            props.put("config.providers", String.join(",", providers.keySet()));
            providers.forEach((alias, type) -> props.put("config.providers." + alias + ".class", type));
        }
        return props;
    }

    /** The options without any secret: protocol, mechanism, user and the files named, for the start-up log. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("KafkaClientSecurity{");
        String sep = "";
        for (Option o : ALL) {
            if (!get(o).isEmpty()) {
                out.append(sep).append(o.key()).append('=').append(get(o));
                sep = ", ";
            }
        }
        return out.append('}').toString();
    }
}
