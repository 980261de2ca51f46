package net.passerelle.gateway.proxy;

import net.passerelle.gateway.config.GatewayConfig;
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
        long headerReadTimeoutNanos,
        long keepAliveTimeoutNanos,
        long idleTimeoutNanos,
        long responseTimeoutNanos,
        long maxBodySize,
        String scheme) {

    public static ProxySettings from(GatewayConfig config, RoutingTableHolder routes, ForwardingHeaders forwarding,
                                     NoticeRenderer notices, UpstreamPools upstreams, ProxyListener listener) {
        GatewayConfig.LimitsConfig limits = config.limits();
        return new ProxySettings(routes,
                new RequestValidator(limits.maxHeaderCount(), limits.maxBodySize().bytes()),
                forwarding, notices, upstreams, listener,
                limits.headerReadTimeout().toNanos(), limits.keepAliveTimeout().toNanos(),
                limits.idleTimeout().toNanos(), config.upstream().responseTimeout().toNanos(),
                limits.maxBodySize().bytes(), "http");
    }
}
