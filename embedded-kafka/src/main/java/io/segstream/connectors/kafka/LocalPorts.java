package io.segstream.connectors.kafka;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Free TCP ports on one local address for servers started in the same JVM (a broker's listeners, a cluster's RPC and
 * REST ports). All sockets of one call are bound at once before any is closed, so the ports returned are distinct:
 * binding and closing one socket at a time lets the kernel hand out the same port twice.
 */
public final class LocalPorts {
    private LocalPorts() {
    }

    /** {@code count} distinct ports free on {@code host} at the time of the call. */
    public static int[] free(String host, int count) throws IOException {
        InetAddress address = InetAddress.getByName(host);
        List<ServerSocket> sockets = new ArrayList<>(count);
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 0, address);
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }
}
