package net.passerelle.gateway.testing;

import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.admin.model.HostPort;
import net.passerelle.gateway.proxy.ProxyListener;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.server.GatewayServer;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.List;

/** A gateway on ephemeral ports of 127.0.0.1 and ::1, in this JVM, routing with a table the test controls. */
public final class GatewayFixture implements AutoCloseable {
    private final GatewayServer server;
    private final RoutingTableHolder routes;

    public GatewayFixture(GatewayConfig config, RoutingTable table) throws InterruptedException {
        this(config, table, ProxyListener.NOOP);
    }

    public GatewayFixture(GatewayConfig config, RoutingTable table, ProxyListener listener) throws InterruptedException {
        GatewayConfig c = config.withListeners(List.of(HostPort.parse("127.0.0.1:0"), HostPort.parse("[::1]:0")));
        this.routes = new RoutingTableHolder(table);
        this.server = new GatewayServer(c, routes, listener).start();
    }

    public InetSocketAddress ipv4() {
        return server.boundAddresses().stream().filter(a -> a.getAddress() instanceof Inet4Address).findFirst().orElseThrow();
    }

    public InetSocketAddress ipv6() {
        return server.boundAddresses().stream().filter(a -> !(a.getAddress() instanceof Inet4Address)).findFirst().orElseThrow();
    }

    public RoutingTableHolder routes() {
        return routes;
    }

    public GatewayServer server() {
        return server;
    }

    public RawHttp connect() throws java.io.IOException {
        return new RawHttp(ipv4());
    }

    @Override
    public void close() {
        server.close();
    }
}
