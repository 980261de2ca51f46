package net.passerelle.gateway.admin;

import net.passerelle.admin.api.AdminServer;
import net.passerelle.admin.api.Authenticator;
import net.passerelle.admin.api.ControlApi;
import net.passerelle.admin.api.FleetConfirmer;
import net.passerelle.admin.api.HealthRoutes;
import net.passerelle.admin.api.OpsRoutes;
import net.passerelle.admin.api.Router;
import net.passerelle.admin.model.BackendState;
import net.passerelle.admin.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import net.passerelle.gateway.config.AdminConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.cutover.Cutover;
import net.passerelle.gateway.cutover.CutoverVerifier;
import net.passerelle.gateway.health.BackendStatus;
import net.passerelle.gateway.health.HealthRegistry;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.spool.ReplayTrigger;
import net.passerelle.gateway.spool.Spool;
import net.passerelle.gateway.tls.edge.TlsEdge;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The admin API of a gateway process: the control plane's {@code /v1} routes over the store ({@link ControlApi}),
 * the routes that need this gateway's own parts (cutover with its verifier, backends' states and health, the
 * spool), and {@code /healthz}, {@code /readyz}, {@code /metrics}; on its own listener ({@code admin.listen}).
 *
 * <p>The data-plane packages know nothing of it: it is wired here from their public faces.
 */
public final class GatewayAdmin implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayAdmin.class);

    /**
     * The parts of the process the admin routes work on.
     *
     * @param store     the store; throws {@link net.passerelle.admin.store.StoreException} while it is unreachable
     * @param reloadNow asks this gateway to reload the table now (so it confirms a change at once)
     * @param spool     the write spool, or null when it could not be opened (then no spool routes)
     * @param replay    starts a group's replay, or null without a spool
     * @param tls       the TLS edge, for the certificate routes; null without TLS
     * @param notReady  the reasons the process is not ready, for {@code /readyz}
     * @param notes     what is degraded without making the process unready (a store blip), for {@code /readyz}
     * @param metrics   the Prometheus text, for {@code /metrics}
     * @param gatewayId this process's id in the fleet: the owner its migration driver writes on the locks it holds
     * @param registry  where the migrations' meters go
     */
    public record Parts(Supplier<Store> store, Runnable reloadNow, RoutingTableHolder routes, HealthRegistry health,
                        Spool spool, ReplayTrigger replay, TlsEdge tls, Supplier<List<String>> notReady,
                        Supplier<List<String>> notes, Supplier<String> metrics, String gatewayId,
                        MeterRegistry registry) {
    }

    private final AdminServer server;
    private final FleetConfirmer confirmer;
    private final Authenticator auth;
    private final Migrations migrations;

    private GatewayAdmin(AdminServer server, FleetConfirmer confirmer, Authenticator auth, Migrations migrations) {
        this.server = server;
        this.confirmer = confirmer;
        this.auth = auth;
        this.migrations = migrations;
    }

    /**
     * Registers the routes and binds the listener.
     *
     * @throws IllegalStateException when the listener cannot be bound, or no token is configured and none can be
     *                               generated into {@code admin.tokenFile}
     */
    public static GatewayAdmin start(GatewayConfig config, Parts parts) throws InterruptedException {
        AdminConfig ac = config.admin();
        Authenticator auth = new Authenticator(tokens(ac, System::getenv), ac.maxAuthFailuresPerMinute());
        FleetConfirmer confirmer = new FleetConfirmer(parts.store(), ac.confirmTimeout(), ac.gatewayTtl());
        confirmer.setNudge(parts.reloadNow());
        CutoverVerifier verifier = verifier(config, parts.health());
        Migrations migrations = null;
        try {
            migrations = Migrations.start(config, parts, confirmer, verifier);
            Router router = routes(config, parts, confirmer, verifier, migrations);
            AdminServer server = new AdminServer(ac.listen().toSocketAddress(), auth, router).start();
            log.info("admin API tokens: {}", String.join(", ", auth.names()));
            return new GatewayAdmin(server, confirmer, auth, migrations);
        } catch (RuntimeException | InterruptedException e) {
            if (migrations != null) {
                migrations.close();
            }
            confirmer.close();
            throw e;
        }
    }

    private static Router routes(GatewayConfig config, Parts parts, FleetConfirmer confirmer, CutoverVerifier verifier,
                                 Migrations migrations) {
        Router router = new Router();
        ControlApi control = new ControlApi(parts.store(), confirmer, Clock.systemUTC());
        control.register(router);
        control.setHealthView(healthView(parts.health()));
        new CutoverRoutes(parts.store(), confirmer, new Cutover(verifier, Clock.systemUTC()), parts.routes(),
                config.cutover().path()).register(router);
        migrations.register(router);
        new BackendRoutes(parts.store(), confirmer, parts.health(), parts.routes()).register(router);
        OpsRoutes.register(HealthRoutes.register(router, parts.notReady(), parts.notes(), parts.metrics()));
        if (parts.spool() != null) {
            new SpoolRoutes(parts.spool(), parts.replay(), parts.routes(), parts.store(), parts.gatewayId(),
                    confirmer.liveness()).register(router);
        }
        if (parts.tls() != null) {
            new CertificatesApi(parts.tls()).register(router);
        }
        return router;
    }

    private static CutoverVerifier verifier(GatewayConfig config, HealthRegistry health) {
        return new CutoverVerifier(health.probe(), CutoverVerifier.guard(config.defaultPageGuard()),
                health, CutoverVerifier.SYSTEM_RESOLVER, config.cutover().timeout(), Clock.systemUTC());
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

    /** {@code admin.token}, else the environment's {@code PASSERELLE_ADMIN_TOKEN}, else null. */
    public static String configuredToken(AdminConfig ac, Function<String, String> env) {
        if (ac.token() != null) {
            return ac.token();
        }
        String value = env.apply("PASSERELLE_ADMIN_TOKEN");
        return value == null || value.isBlank() ? null : value;
    }

    /**
     * Every token by name: {@code admin.tokens}, and {@code admin} for {@code admin.token} (or the environment's); with
     * none of them, {@code admin} for the token generated into {@code admin.tokenFile}.
     */
    static Map<String, String> tokens(AdminConfig ac, Function<String, String> env) {
        Map<String, String> tokens = new LinkedHashMap<>(ac.tokens());
        String admin = configuredToken(ac, env);
        if (admin != null) {
            tokens.put(Authenticator.ADMIN, admin);
        }
        if (tokens.isEmpty()) {
            // An ephemeral port is known only once the listener is bound, after the token is needed.
            String url = ac.listen().port() == 0 ? null : ac.localUrl();
            tokens.put(Authenticator.ADMIN, TokenFile.readOrCreate(Path.of(ac.tokenFile()), url));
        }
        return tokens;
    }

    /** Authentication failures, for the metrics. */
    public Authenticator authenticator() {
        return auth;
    }

    /** The bound address (with the port chosen for port 0). */
    public InetSocketAddress address() {
        return server.address();
    }

    /** The route registry; more routes may be added while the server runs. */
    public Router router() {
        return server.router();
    }

    /** The migration driver of this process. */
    public net.passerelle.gateway.migration.MigrationDriver migrationDriver() {
        return migrations.driver();
    }

    @Override
    public void close() {
        server.close();
        migrations.close();
        confirmer.close();
    }
}
