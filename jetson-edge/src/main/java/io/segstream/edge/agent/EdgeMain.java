package io.segstream.edge.agent;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The entry point of the stand-alone agent jar ({@code mvn -Pagent-jar}, see jetson-edge/README.md), for a device that
 * runs the agent and nothing else of segstream: {@code java -jar jetson-edge-VERSION-agent.jar edge.yaml [METRICS_PORT]}.
 * It runs until SIGTERM, which stops the cameras, syncs the spool and sends for up to the stop timeout. The
 * {@code segstream edge} command does the same with more options.
 */
public final class EdgeMain {
    private EdgeMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: java -jar jetson-edge-agent.jar EDGE_FILE [METRICS_PORT]; the edge file is "
                    + "described in jetson-edge/README.md");
            System.exit(1);
        }
        EdgeAgent agent;
        EdgeHttpServer http;
        try {
            EdgeOptions options = EdgeOptions.read(Path.of(args[0]));
            int port = args.length == 2 ? port(args[1]) : -1;
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
