package net.passerelle.gateway.proxy;

import io.netty.buffer.ByteBufAllocator;
import net.passerelle.gateway.config.Cidr;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.health.BackendHealth;
import net.passerelle.gateway.http.ForwardingHeaders;
import net.passerelle.gateway.http.RequestValidator;
import net.passerelle.gateway.notice.NoticeRenderer;
import net.passerelle.gateway.origin.OriginPools;
import net.passerelle.gateway.policy.ClassifierProfiles;
import net.passerelle.gateway.policy.DefaultPageGuard;
import net.passerelle.gateway.policy.OpsBypass;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.spool.Spool;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything an exchange needs that is shared by all connections: built once at start, read-only afterwards (the
 * routing table inside the holder is swapped, never mutated). {@code spool} is null when queueing is unavailable;
 * queued writes are then rejected, never acknowledged. {@code health} decides which backends take new requests
 * ({@link BackendHealth#NONE} without health checks).
 */
public record ProxySettings(
        RoutingTableHolder routes,
        Admission admission,
        ForwardingHeaders forwarding,
        NoticeRenderer notices,
        OriginPools origins,
        ProxyListener listener,
        DefaultPageGuard guard,
        Clock clock,
        Spool spool,
        BackendHealth health,
        MemoryGuard memory,
        Timeouts timeouts,
        long maxBodySize,
        long bufferRequestBody) {

    /**
     * The exchange's clocks, in nanoseconds.
     *
     * @param headerRead a request's head must arrive within this, from its first byte
     * @param keepAlive  an idle client connection is closed after this
     * @param idle       longest silence while a request body is received
     * @param response   from the request sent to the response head, and the longest silence inside a response
     * @param send       longest time a response may wait for a client that reads nothing
     * @param minBodyRate bytes per second a request body must average over each window (0: no minimum)
     */
    public record Timeouts(long headerRead, long keepAlive, long idle, long response, long send, long minBodyRate) {
        public static Timeouts from(GatewayConfig config) {
            GatewayConfig.LimitsConfig l = config.limits();
            return new Timeouts(l.headerReadTimeout().toNanos(), l.keepAliveTimeout().toNanos(), l.idleTimeout().toNanos(),
                    config.upstream().responseTimeout().toNanos(), l.sendTimeout().toNanos(), l.minBodyRate().bytes());
        }
    }

    /** Without health checks: every backend counts as available. */
    public static ProxySettings from(GatewayConfig config, RoutingTableHolder routes, ForwardingHeaders forwarding,
                                     NoticeRenderer notices, OriginPools origins, ProxyListener listener,
                                     Clock clock, Spool spool) {
        return from(config, routes, forwarding, notices, origins, listener, clock, spool, BackendHealth.NONE, EdgeRules.NONE);
    }

    public static ProxySettings from(GatewayConfig config, RoutingTableHolder routes, ForwardingHeaders forwarding,
                                     NoticeRenderer notices, OriginPools origins, ProxyListener listener,
                                     Clock clock, Spool spool, BackendHealth health, EdgeRules edge) {
        GatewayConfig.LimitsConfig limits = config.limits();
        GatewayConfig.MaintenanceConfig m = config.maintenance();
        OpsBypass bypass = new OpsBypass(m.allowNetworks().stream().map(Cidr::parse).toList(), m.opsHeader(), m.opsSecret());
        GatewayConfig.GuardConfig g = config.defaultPageGuard();
        List<String> fingerprints = new ArrayList<>(GatewayConfig.GuardConfig.BUILT_IN);
        fingerprints.addAll(g.fingerprints());
        DefaultPageGuard guard = new DefaultPageGuard(g.enabled(), fingerprints, g.scanBytes().intBytes());
        Admission admission = new Admission(new RequestValidator(limits.maxHeaderCount(), limits.maxBodySize().bytes()),
                ClassifierProfiles.fromConfig(config.classification()), bypass, edge);
        return new ProxySettings(routes, admission, forwarding, notices, origins, listener, guard, clock, spool, health,
                MemoryGuard.of(ByteBufAllocator.DEFAULT, limits.maxBufferedMemory().bytes()), Timeouts.from(config),
                limits.maxBodySize().bytes(), limits.bufferRequestBody().bytes());
    }

    long headerReadTimeoutNanos() {
        return timeouts.headerRead();
    }

    long idleTimeoutNanos() {
        return timeouts.idle();
    }

    long responseTimeoutNanos() {
        return timeouts.response();
    }

    long sendTimeoutNanos() {
        return timeouts.send();
    }
}
