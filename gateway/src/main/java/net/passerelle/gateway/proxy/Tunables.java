package net.passerelle.gateway.proxy;

import net.passerelle.gateway.config.MaintenanceConfig;
import net.passerelle.gateway.config.LimitsConfig;
import net.passerelle.gateway.config.Cidr;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.http.RequestValidator;
import net.passerelle.gateway.policy.ClassifierProfiles;
import net.passerelle.gateway.policy.OpsBypass;

/**
 * The file-level settings of the request path that a reload ({@code SIGHUP}) changes without a restart: limits,
 * timeouts, classification and the maintenance exception list. Immutable; {@link ProxySettings} holds the current
 * one, read once per use, so an exchange under way finishes with the values it started with or the new ones, never
 * half of each.
 *
 * @param maxRequestLine  longest request line (414), for new connections' decoders
 * @param maxHeaderSize   largest header block (431), for new connections' decoders
 * @param hstsGroups      groups whose https answers carry {@code Strict-Transport-Security} ({@code tls.hsts})
 */
public record Tunables(Admission admission, Timeouts timeouts, long maxBodySize, long bufferRequestBody,
                       int maxRequestLine, int maxHeaderSize, java.util.Set<String> hstsGroups, String hstsValue) {

    /** The {@code Strict-Transport-Security} value for an https answer of {@code group}, or null when it gets none. */
    public String hstsFor(net.passerelle.gateway.routing.GroupRoute group) {
        return group != null && hstsGroups.contains(group.name()) ? hstsValue : null;
    }

    /**
     * The exchange's clocks, in nanoseconds.
     *
     * @param headerRead  a request's head must arrive within this, from its first byte
     * @param keepAlive   an idle client connection is closed after this
     * @param idle        longest silence while a request body is received
     * @param response    from the request sent to the response head, and the longest silence inside a response
     * @param send        longest time a response may wait for a client that reads nothing
     * @param minBodyRate bytes per second a request body must average over each window (0: no minimum)
     */
    public record Timeouts(long headerRead, long keepAlive, long idle, long response, long send, long minBodyRate) {
        public static Timeouts from(GatewayConfig config) {
            LimitsConfig l = config.limits();
            return new Timeouts(l.headerReadTimeout().toNanos(), l.keepAliveTimeout().toNanos(), l.idleTimeout().toNanos(),
                    config.upstream().responseTimeout().toNanos(), l.sendTimeout().toNanos(), l.minBodyRate().bytes());
        }
    }

    public static Tunables from(GatewayConfig config, EdgeRules edge) {
        LimitsConfig limits = config.limits();
        MaintenanceConfig m = config.maintenance();
        OpsBypass bypass = new OpsBypass(m.allowNetworks().stream().map(Cidr::parse).toList(), m.opsHeader(), m.opsSecret());
        Admission admission = new Admission(new RequestValidator(limits.maxHeaderCount(), limits.maxBodySize().bytes()),
                ClassifierProfiles.fromConfig(config.classification()), bypass, edge);
        return new Tunables(admission, Timeouts.from(config), limits.maxBodySize().bytes(),
                limits.bufferRequestBody().bytes(), limits.maxRequestLine().intBytes(), limits.maxHeaderSize().intBytes(),
                java.util.Set.copyOf(config.tls().hsts().groups()), config.tls().hsts().headerValue());
    }
}
