package io.segstream.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 between clients and one server, that can cut the network: {@link #partition()} resets
 * every open connection and refuses new ones until {@link #heal()}, as a broken link or a firewall would.
 */
final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean partitioned;

    private TcpProxy(int port, InetSocketAddress target) throws IOException {
        this.server = new ServerSocket();
        this.server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        this.target = target;
        Thread accept = new Thread(this::acceptLoop, "tcp-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** A proxy listening on {@code port} (0: any free one) that forwards to {@code target}. */
    static TcpProxy start(int port, InetSocketAddress target) throws IOException {
        return new TcpProxy(port, target);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections refused or reset while partitioned. */
    long refused() {
        return refused.get();
    }

    /** Resets every connection and refuses new ones. */
    void partition() {
        partitioned = true;
        for (Socket s : open) {
            reset(s);
        }
    }

    void heal() {
        partitioned = false;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (partitioned) {
                    reset(client);
                    continue;
                }
                Socket upstream = new Socket();
                upstream.connect(target, 5000);
                open.add(client);
                open.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                // a closed server ends the loop; a failed upstream connect drops that one client
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (partitioned) {
                        break;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the other side went away
            } finally {
                reset(from);
                reset(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void reset(Socket s) {
        if (open.remove(s) || !s.isClosed()) {
            refused.incrementAndGet();
        }
        try {
            s.setSoLinger(true, 0); // RST, not FIN: the peer sees the link fail
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            reset(s);
        }
    }
}
