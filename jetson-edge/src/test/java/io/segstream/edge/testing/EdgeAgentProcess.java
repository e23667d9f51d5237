package io.segstream.edge.testing;

import io.segstream.edge.agent.EdgeAgent;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The agent as a process of its own, for tests that kill it: {@code EdgeAgentProcess CAMERA DRIVE BOOTSTRAP SPOOL
 * TOPIC_PREFIX}. Logs its health line every second on stdout; SIGTERM stops it cleanly.
 */
public final class EdgeAgentProcess {
    private EdgeAgentProcess() {}

    public static void main(String[] args) throws Exception {
        EdgeAgent agent = EdgeAgent.start(EdgeTesting.options(args[0], Path.of(args[1]), args[2], Path.of(args[3]),
                EdgeTesting.topics(args[4])));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                agent.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
            stopped.countDown();
        }));
        stopped.await();
    }
}
