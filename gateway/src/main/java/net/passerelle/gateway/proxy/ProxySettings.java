package net.passerelle.gateway.proxy;

import net.passerelle.gateway.config.Cidr;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.policy.ClassifierProfiles;
import net.passerelle.gateway.policy.DefaultPageGuard;
import net.passerelle.gateway.policy.OpsBypass;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import net.passerelle.gateway.http.ForwardingHeaders;
import net.passerelle.gateway.http.RequestValidator;
import net.passerelle.gateway.notice.NoticeRenderer;
import net.passerelle.gateway.routing.RoutingTableHolder;

/**
 * Everything a client connection's handler needs that is shared by all connections: built once at start, read-only
 * afterwards (the routing table inside the holder is swapped, never mutated).
 */
public record ProxySettings(
        RoutingTableHolder routes,
        RequestValidator validator,
        ForwardingHeaders forwarding,
        NoticeRenderer notices,
        UpstreamPools upstreams,
        ProxyListener listener,
        ClassifierProfiles profiles,
        OpsBypass opsBypass,
        DefaultPageGuard guard,
        Clock clock,
        long headerReadTimeoutNanos,
        long keepAliveTimeoutNanos,
        long idleTimeoutNanos,
        long responseTimeoutNanos,
        long maxBodySize,
        String scheme) {

    public static ProxySettings from(GatewayConfig config, RoutingTableHolder routes, ForwardingHeaders forwarding,
                                     NoticeRenderer notices, UpstreamPools upstreams, ProxyListener listener,
                                     Clock clock) {
        GatewayConfig.LimitsConfig limits = config.limits();
        GatewayConfig.MaintenanceConfig m = config.maintenance();
        OpsBypass bypass = new OpsBypass(m.allowNetworks().stream().map(Cidr::parse).toList(), m.opsHeader(), m.opsSecret());
        GatewayConfig.GuardConfig g = config.defaultPageGuard();
        List<String> fingerprints = new ArrayList<>(GatewayConfig.GuardConfig.BUILT_IN);
        fingerprints.addAll(g.fingerprints());
        DefaultPageGuard guard = new DefaultPageGuard(g.enabled(), fingerprints, g.scanBytes().intBytes());
        return new ProxySettings(routes,
                new RequestValidator(limits.maxHeaderCount(), limits.maxBodySize().bytes()),
                forwarding, notices, upstreams, listener,
                ClassifierProfiles.fromConfig(config.classification()), bypass, guard, clock,
                limits.headerReadTimeout().toNanos(), limits.keepAliveTimeout().toNanos(),
                limits.idleTimeout().toNanos(), config.upstream().responseTimeout().toNanos(),
                limits.maxBodySize().bytes(), "http");
    }
}
