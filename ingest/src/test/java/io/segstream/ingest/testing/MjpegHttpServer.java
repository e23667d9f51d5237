package io.segstream.ingest.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A live MJPEG-over-HTTP camera on loopback ({@code multipart/x-mixed-replace}, as IP cameras serve it) that a test
 * can stop, restart on the same port, freeze (connection open, no data) or make send undecodable parts.
 */
public final class MjpegHttpServer implements AutoCloseable {
    /** What connected clients receive. */
    public enum Mode { FRAMES, GARBAGE, FREEZE }

    private static final String BOUNDARY = "segstreamframe";

    private final int fps;
    private final int width;
    private final int height;
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    private final AtomicLong partsServed = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile Mode mode = Mode.FRAMES;
    private volatile ServerSocket server;
    private volatile int port;
    private final AtomicInteger frameCounter = new AtomicInteger();

    public MjpegHttpServer(int fps, int width, int height) {
        this.fps = fps;
        this.width = width;
        this.height = height;
    }

    /** Starts listening on a free loopback port (first start) or on the same port again (restart). */
    public synchronized void start() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        port = s.getLocalPort();
        server = s;
        Thread accept = new Thread(() -> acceptLoop(s), "mjpeg-accept-" + port);
        accept.setDaemon(true);
        accept.start();
    }

    /** Closes the listening socket and every client connection, as a camera that loses power. */
    public synchronized void stop() throws IOException {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            s.close();
        }
        for (Socket c : clients) {
            c.close();
        }
        clients.clear();
    }

    public void mode(Mode m) {
        this.mode = m;
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/video.mjpg";
    }

    /** Multipart parts (frames or garbage) written to clients so far. */
    public long partsServed() {
        return partsServed.get();
    }

    /** Client connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket c = s.accept();
                connections.incrementAndGet();
                clients.add(c);
                Thread t = new Thread(() -> serve(c), "mjpeg-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket c) {
        try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
            readRequestHead(in);
            out.write(("HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=" + BOUNDARY
                    + "\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            long intervalMillis = 1000L / fps;
            while (!c.isClosed()) {
                Mode m = mode;
                if (m != Mode.FREEZE) {
                    byte[] body = m == Mode.FRAMES ? VideoFixtures.jpeg(frameCounter.getAndIncrement(), width, height)
                            : garbage();
                    out.write(("--" + BOUNDARY + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + body.length
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    partsServed.incrementAndGet();
                }
                Thread.sleep(intervalMillis);
            }
        } catch (IOException | InterruptedException e) {
            // client went away or the server stopped
        } finally {
            clients.remove(c);
        }
    }

    private static byte[] garbage() {
        byte[] b = new byte[2000];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    private static void readRequestHead(InputStream in) throws IOException {
        int state = 0;
        int ch;
        while ((ch = in.read()) >= 0) {
            state = switch (state) {
                case 0 -> ch == '\r' ? 1 : 0;
                case 1 -> ch == '\n' ? 2 : 0;
                case 2 -> ch == '\r' ? 3 : 0;
                case 3 -> ch == '\n' ? 4 : 0;
                default -> 0;
            };
            if (state == 4) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
