package net.passerelle.gateway.control;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's identity in the fleet: {@code server.gatewayId} when set, otherwise {@code <host name>-<pid>} (with
 * {@code -2}, {@code -3}… for further instances in the same JVM): stable for the life of the process, distinct
 * between processes. A restarted gateway is a new id.
 */
public final class GatewayId {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private GatewayId() {
    }

    public static String of(String configured) {
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        int n = INSTANCES.incrementAndGet();
        return host + "-" + ProcessHandle.current().pid() + (n == 1 ? "" : "-" + n);
    }
}
