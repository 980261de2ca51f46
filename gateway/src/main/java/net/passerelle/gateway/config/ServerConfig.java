package net.passerelle.gateway.config;

import java.time.Duration;
import java.util.List;

/**
 * @param ioThreads event loops; 0 means one per core
 * @param transport {@code auto} (epoll when the native library loads, NIO otherwise), {@code epoll} or {@code nio}
 * @param gatewayId this gateway's name in the fleet; when unset, {@code <host name>-<pid>} (see
 *                  {@code control/GatewayId}), which a restart changes
 * @param drainTimeout how long in-flight requests may take to finish at shutdown
 */
public record ServerConfig(Integer ioThreads, String transport, String gatewayId, Duration drainTimeout) {
    public ServerConfig {
        ioThreads = ioThreads == null ? 0 : ioThreads;
        if (ioThreads < 0) {
            throw new BadEntry("server.ioThreads must be >= 0 (0 = one per core)", "ioThreads");
        }
        transport = transport == null ? "auto" : transport;
        if (!List.of("auto", "epoll", "io_uring", "nio").contains(transport)) {
            throw new BadEntry("server.transport must be auto, epoll, io_uring or nio, got '" + transport + "'", "transport");
        }
        drainTimeout = drainTimeout == null ? Duration.ofSeconds(30) : drainTimeout;
    }
}
