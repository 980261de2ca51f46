package net.passerelle.gateway.tls;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.admin.model.HostPort;
import net.passerelle.gateway.config.TlsConfig;
import net.passerelle.gateway.proxy.ProxyListener;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.server.GatewayServer;
import net.passerelle.gateway.tls.edge.TlsEdge;
import net.passerelle.gateway.tls.edge.TlsEdgeRules;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** A gateway with TLS listeners on ephemeral ports of 127.0.0.1 and ::1, certificates from {@code dir}. */
final class TlsGateway implements AutoCloseable {
    final TlsEdge edge;
    final GatewayServer server;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    TlsGateway(Path dir, String defaultCertificate, RoutingTable table) throws Exception {
        this(dir, defaultCertificate, table, "auto");
    }

    TlsGateway(Path dir, String defaultCertificate, RoutingTable table, String provider) throws Exception {
        this(dir, defaultCertificate, table, provider, List.of("http/1.1"));
    }

    /** @param alpn the protocols ALPN offers, as {@code Passerelle} passes them ({@code h2} first with HTTP/2 on) */
    TlsGateway(Path dir, String defaultCertificate, RoutingTable table, String provider, List<String> alpn) throws Exception {
        TlsConfig tls = new TlsConfig(List.of(HostPort.parse("127.0.0.1:0"), HostPort.parse("[::1]:0")),
                new TlsConfig.CertificatesConfig(dir.toString(), true), defaultCertificate, true, provider, null, null,
                null, null, new TlsConfig.HstsConfig(java.util.List.of("g"), null, null));
        GatewayConfig config = GatewayConfig.defaults().withListeners(List.of(HostPort.parse("127.0.0.1:0"))).withTls(tls);
        RoutingTableHolder routes = new RoutingTableHolder(table);
        edge = TlsEdge.start(tls, alpn, routes, () -> null, meters, "test", Clock.systemUTC());
        try {
            server = new GatewayServer(config, routes, ProxyListener.NOOP)
                    .withTls(tls.listeners(), edge.handshakes(),
                            new TlsConnectionFacts(new net.passerelle.gateway.http.ForwardingHeaders(List.of(), "passerelle")))
                    .withEdge(new TlsEdgeRules(edge.challenges(), edge.redirect(() -> tlsV4().getPort())))
                    .start();
        } catch (Exception e) {
            edge.close();
            throw e;
        }
    }

    InetSocketAddress tlsV4() {
        return server.tlsAddresses().stream().filter(a -> a.getAddress() instanceof Inet4Address).findFirst().orElseThrow();
    }

    InetSocketAddress tlsV6() {
        return server.tlsAddresses().stream().filter(a -> !(a.getAddress() instanceof Inet4Address)).findFirst().orElseThrow();
    }

    InetSocketAddress plain() {
        return server.boundAddresses().get(0);
    }

    @Override
    public void close() {
        server.close();
        edge.close();
    }
}
