package net.passerelle.gateway.proxy;

import io.netty.buffer.ByteBufAllocator;
import net.passerelle.gateway.config.GuardConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.health.BackendHealth;
import net.passerelle.gateway.http.ForwardingHeaders;
import net.passerelle.gateway.notice.NoticeRenderer;
import net.passerelle.gateway.origin.OriginPools;
import net.passerelle.gateway.policy.DefaultPageGuard;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.spool.Spool;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Everything an exchange needs that is shared by all connections. Built once at start; the routing table inside its
 * holder is swapped, never mutated, and so are the {@link Tunables} (on {@code SIGHUP}). {@code spool} is null when
 * queueing is unavailable; queued writes are then rejected, never acknowledged. {@code health} decides which
 * backends take new requests ({@link BackendHealth#NONE} without health checks).
 */
public record ProxySettings(
        RoutingTableHolder routes,
        ForwardingHeaders forwarding,
        NoticeRenderer notices,
        OriginPools origins,
        ProxyListener listener,
        DefaultPageGuard guard,
        Clock clock,
        Spool spool,
        BackendHealth health,
        MemoryGuard memory,
        EdgeRules edge,
        AtomicReference<Tunables> tunables) {

    /** Without health checks: every backend counts as available. */
    public static ProxySettings from(GatewayConfig config, RoutingTableHolder routes, ForwardingHeaders forwarding,
                                     NoticeRenderer notices, OriginPools origins, ProxyListener listener,
                                     Clock clock, Spool spool) {
        return from(config, routes, forwarding, notices, origins, listener, clock, spool, BackendHealth.NONE, EdgeRules.NONE);
    }

    public static ProxySettings from(GatewayConfig config, RoutingTableHolder routes, ForwardingHeaders forwarding,
                                     NoticeRenderer notices, OriginPools origins, ProxyListener listener,
                                     Clock clock, Spool spool, BackendHealth health, EdgeRules edge) {
        GuardConfig g = config.defaultPageGuard();
        List<String> fingerprints = new ArrayList<>(GuardConfig.BUILT_IN);
        fingerprints.addAll(g.fingerprints());
        DefaultPageGuard guard = new DefaultPageGuard(g.enabled(), fingerprints, g.scanBytes().intBytes());
        return new ProxySettings(routes, forwarding, notices, origins, listener, guard, clock, spool, health,
                MemoryGuard.of(ByteBufAllocator.DEFAULT, config.limits().maxBufferedMemory().bytes()), edge,
                new AtomicReference<>(Tunables.from(config, edge)));
    }

    /** Applies a reloaded configuration's limits, timeouts and classification to the requests that start from now. */
    public void reload(GatewayConfig config) {
        tunables.set(Tunables.from(config, edge));
    }

    public Admission admission() {
        return tunables.get().admission();
    }

    public Tunables.Timeouts timeouts() {
        return tunables.get().timeouts();
    }

    public long maxBodySize() {
        return tunables.get().maxBodySize();
    }

    public long bufferRequestBody() {
        return tunables.get().bufferRequestBody();
    }

    long idleTimeoutNanos() {
        return timeouts().idle();
    }

    long responseTimeoutNanos() {
        return timeouts().response();
    }

    long sendTimeoutNanos() {
        return timeouts().send();
    }
}
