package io.segstream.edge.agent;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The entry point of the stand-alone agent jar ({@code mvn -Pagent-jar}) and of the JetPack 6 image ({@code mvn
 * -Pimages}), see jetson-edge/README.md, for a device that runs the agent and nothing else of segstream:
 * <pre>{@code
 * java -jar jetson-edge-VERSION-agent.jar edge.yaml [METRICS_PORT]
 * java -jar jetson-edge-VERSION-agent.jar --config edge.yaml [--metrics-port METRICS_PORT]   # segstream edge's names
 * }</pre>
 * It runs until SIGTERM, which stops the cameras, syncs the spool and sends for up to the stop timeout. The
 * {@code segstream edge} command does the same with more options.
 */
public final class EdgeMain {
    private EdgeMain() {}

    public static void main(String[] args) throws Exception {
        Arguments arguments;
        try {
            arguments = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "; usage: java -jar jetson-edge-agent.jar EDGE_FILE [METRICS_PORT] or "
                    + "--config EDGE_FILE [--metrics-port METRICS_PORT]; the edge file is described in "
                    + "jetson-edge/README.md");
            System.exit(1);
            return;
        }
        EdgeAgent agent;
        EdgeHttpServer http;
        try {
            EdgeOptions options = EdgeOptions.read(arguments.edgeFile());
            int port = arguments.metricsPort();
            agent = EdgeAgent.start(options);
            try {
                http = port < 0 ? null : EdgeHttpServer.start(agent, port);
            } catch (Exception e) {
                agent.close();
                throw e;
            }
        } catch (Exception e) {
            System.err.println("segstream edge agent: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (http != null) {
                http.close();
            }
            try {
                agent.close();
            } catch (Exception e) {
                System.err.println("the spool could not be closed cleanly: " + e.getMessage());
            }
            stopped.countDown();
        }, "edge-shutdown"));
        stopped.await();
    }

    /**
     * The command line: the edge file and the port of {@code /healthz} and {@code /metrics}, -1 for none.
     *
     * @param edgeFile    the edge file
     * @param metricsPort the HTTP port, or -1 for no HTTP server
     */
    public record Arguments(Path edgeFile, int metricsPort) {
        /**
         * Reads {@code EDGE_FILE [METRICS_PORT]} or {@code --config EDGE_FILE [--metrics-port METRICS_PORT]}.
         *
         * @throws IllegalArgumentException naming what is wrong
         */
        public static Arguments parse(String... args) {
            if (args.length > 0 && args[0].startsWith("--")) {
                String file = null;
                int port = -1;
                for (int i = 0; i < args.length; i += 2) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(args[i] + " needs a value");
                    }
                    switch (args[i]) {
                        case "--config" -> file = args[i + 1];
                        case "--metrics-port" -> port = port(args[i + 1]);
                        default -> throw new IllegalArgumentException("unknown option " + args[i]
                                + ", expected --config or --metrics-port");
                    }
                }
                if (file == null) {
                    throw new IllegalArgumentException("--config EDGE_FILE is required");
                }
                return new Arguments(Path.of(file), port);
            }
            if (args.length < 1 || args.length > 2) {
                throw new IllegalArgumentException("expected an edge file and an optional metrics port, got "
                        + args.length + " arguments");
            }
            return new Arguments(Path.of(args[0]), args.length == 2 ? port(args[1]) : -1);
        }
    }

    private static int port(String text) {
        try {
            int p = Integer.parseInt(text);
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("the metrics port must be a number from 0 to 65535, got '" + text + "'");
    }
}
