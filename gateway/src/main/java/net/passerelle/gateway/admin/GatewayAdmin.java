package net.passerelle.gateway.admin;

import net.passerelle.admin.api.AdminServer;
import net.passerelle.admin.api.ControlApi;
import net.passerelle.admin.api.FleetConfirmer;
import net.passerelle.admin.api.HealthRoutes;
import net.passerelle.admin.api.OpsRoutes;
import net.passerelle.admin.api.Router;
import net.passerelle.admin.model.BackendState;
import net.passerelle.admin.store.Store;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.cutover.Cutover;
import net.passerelle.gateway.cutover.CutoverVerifier;
import net.passerelle.gateway.health.BackendStatus;
import net.passerelle.gateway.health.HealthRegistry;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.spool.ReplayTrigger;
import net.passerelle.gateway.spool.Spool;
import net.passerelle.gateway.tls.edge.TlsEdge;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * The admin API of a gateway process: the control plane's {@code /v1} routes over the store ({@link ControlApi}),
 * the routes that need this gateway's own parts (cutover with its verifier, backends' states and health, the
 * spool), and {@code /healthz}, {@code /readyz}, {@code /metrics}; on its own listener ({@code admin.listen}).
 *
 * <p>The data-plane packages know nothing of it: it is wired here from their public faces.
 */
public final class GatewayAdmin implements AutoCloseable {

    /**
     * The parts of the process the admin routes work on.
     *
     * @param store     the store; throws {@link net.passerelle.admin.store.StoreException} while it is unreachable
     * @param reloadNow asks this gateway to reload the table now (so it confirms a change at once)
     * @param spool     the write spool, or null when it could not be opened (then no spool routes)
     * @param replay    starts a group's replay, or null without a spool
     * @param tls       the TLS edge, for the certificate routes; null without TLS
     * @param notReady  the reasons the process is not ready, for {@code /readyz}
     * @param metrics   the Prometheus text, for {@code /metrics}
     */
    public record Parts(Supplier<Store> store, Runnable reloadNow, RoutingTableHolder routes, HealthRegistry health,
                        Spool spool, ReplayTrigger replay, TlsEdge tls, Supplier<List<String>> notReady,
                        Supplier<String> metrics) {
    }

    private final AdminServer server;
    private final FleetConfirmer confirmer;

    private GatewayAdmin(AdminServer server, FleetConfirmer confirmer) {
        this.server = server;
        this.confirmer = confirmer;
    }

    /**
     * Registers the routes and binds the listener.
     *
     * @throws IllegalStateException when the listener cannot be bound, or it is not loopback and no token is set
     */
    public static GatewayAdmin start(GatewayConfig config, Parts parts) throws InterruptedException {
        GatewayConfig.AdminConfig ac = config.admin();
        FleetConfirmer confirmer = new FleetConfirmer(parts.store(), ac.confirmTimeout(), ac.gatewayTtl());
        confirmer.setNudge(parts.reloadNow());
        try {
            Router router = routes(config, parts, confirmer);
            AdminServer server = new AdminServer(ac.listen().toSocketAddress(), token(ac), router).start();
            return new GatewayAdmin(server, confirmer);
        } catch (RuntimeException | InterruptedException e) {
            confirmer.close();
            throw e;
        }
    }

    private static Router routes(GatewayConfig config, Parts parts, FleetConfirmer confirmer) {
        Router router = new Router();
        ControlApi control = new ControlApi(parts.store(), confirmer, Clock.systemUTC());
        control.register(router);
        control.setHealthView(healthView(parts.health()));
        new CutoverRoutes(parts.store(), confirmer, cutover(config, parts.health()), parts.routes(),
                config.cutover().path()).register(router);
        new BackendRoutes(parts.store(), confirmer, parts.health(), parts.routes()).register(router);
        OpsRoutes.register(HealthRoutes.register(router, parts.notReady(), parts.metrics()));
        if (parts.spool() != null) {
            new SpoolRoutes(parts.spool(), parts.replay(), parts.routes(), parts.store()).register(router);
        }
        if (parts.tls() != null) {
            new CertificatesApi(parts.tls()).register(router);
        }
        return router;
    }

    private static Cutover cutover(GatewayConfig config, HealthRegistry health) {
        CutoverVerifier verifier = new CutoverVerifier(health.probe(), CutoverVerifier.guard(config.defaultPageGuard()),
                health, CutoverVerifier.SYSTEM_RESOLVER, config.cutover().timeout(), Clock.systemUTC());
        return new Cutover(verifier, Clock.systemUTC());
    }

    /** A group's backends in {@code GET /v1/groups}: {@code up}, {@code down (drain)}, or {@code unknown}. */
    private static ControlApi.HealthView healthView(HealthRegistry health) {
        return (group, backend) -> {
            InetSocketAddress address = health.find(backend.toString());
            BackendStatus st = address == null ? null : health.status(address);
            if (st == null) {
                return "unknown";
            }
            return st.admin().equals(BackendState.READY.wireName()) ? st.health() : st.health() + " (" + st.admin() + ")";
        };
    }

    /** {@code admin.token}, else the environment's {@code PASSERELLE_ADMIN_TOKEN}, else none. */
    private static String token(GatewayConfig.AdminConfig ac) {
        if (ac.token() != null) {
            return ac.token();
        }
        String env = System.getenv("PASSERELLE_ADMIN_TOKEN");
        return env == null || env.isBlank() ? null : env;
    }

    /** The bound address (with the port chosen for port 0). */
    public InetSocketAddress address() {
        return server.address();
    }

    /** The route registry; more routes may be added while the server runs. */
    public Router router() {
        return server.router();
    }

    @Override
    public void close() {
        server.close();
        confirmer.close();
    }
}
