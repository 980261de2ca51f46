package net.passerelle.gateway;

import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.proxy.ProxyListener;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.routing.SeedTables;
import net.passerelle.gateway.server.GatewayServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;

/** The assembled process: routing table source, data plane, and (later) store, admin API and spool. */
public final class Passerelle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Passerelle.class);

    private final GatewayServer server;
    private final RoutingTableHolder routes;

    private Passerelle(GatewayServer server, RoutingTableHolder routes) {
        this.server = server;
        this.routes = routes;
    }

    public static Passerelle start(GatewayConfig config) throws InterruptedException {
        RoutingTableHolder routes = new RoutingTableHolder(SeedTables.fromSeed(config.seed(), 1));
        GatewayServer server = new GatewayServer(config, routes, ProxyListener.NOOP).start();
        log.info("passerelle started: {} hosts in {} groups", routes.get().hostCount(), routes.get().groups().size());
        return new Passerelle(server, routes);
    }

    public List<InetSocketAddress> listeners() {
        return server.boundAddresses();
    }

    public RoutingTableHolder routes() {
        return routes;
    }

    @Override
    public void close() {
        server.close();
    }
}
