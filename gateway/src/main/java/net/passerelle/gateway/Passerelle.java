package net.passerelle.gateway;

import net.passerelle.admin.api.AdminServer;
import net.passerelle.admin.api.ControlApi;
import net.passerelle.admin.api.FleetConfirmer;
import net.passerelle.admin.api.HealthRoutes;
import net.passerelle.admin.api.Router;
import net.passerelle.admin.store.JdbcStore;
import net.passerelle.admin.store.Store;
import net.passerelle.admin.store.StoreException;
import net.passerelle.gateway.config.Cidr;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.cutover.Cutover;
import net.passerelle.gateway.cutover.CutoverApi;
import net.passerelle.gateway.cutover.CutoverVerifier;
import net.passerelle.gateway.health.BackendStatus;
import net.passerelle.gateway.health.HealthRegistry;
import net.passerelle.gateway.http.ForwardingHeaders;
import net.passerelle.gateway.spool.Replayer;
import net.passerelle.gateway.spool.ReplayTrigger;
import net.passerelle.gateway.spool.Spool;
import net.passerelle.gateway.spool.SpoolApi;
import net.passerelle.gateway.control.SeedModel;
import net.passerelle.gateway.control.SnapshotFile;
import net.passerelle.gateway.control.StoreSync;
import net.passerelle.gateway.metrics.GatewayMetrics;
import net.passerelle.gateway.metrics.SpoolMetrics;
import net.passerelle.gateway.reload.Reloadable;
import net.passerelle.admin.api.OpsRoutes;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.server.GatewayServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The assembled process: store synchronisation, data plane, metrics and (unless {@code admin.enabled: false}) the
 * admin API, in that order; {@link #close()} stops them in the reverse order.
 *
 * <p>The gateway's identity in the fleet ({@link #gatewayId()}) is {@code server.gatewayId} when set, otherwise
 * {@code <host name>-<pid>} (with {@code -2}, {@code -3}… for further instances in the same JVM): stable for the
 * life of the process, distinct between processes. A restarted gateway is a new id; the old one stops being
 * live after {@code admin.gatewayTtl} and is then no longer waited for.
 */
public final class Passerelle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Passerelle.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final GatewayMetrics metrics;
    private final StoreSync sync;
    private final GatewayServer server;
    private final RoutingTableHolder routes;
    private final AdminServer admin;
    private final FleetConfirmer confirmer;
    private final Spool spool;
    private final Replayer replayer;
    private final HealthRegistry health;
    private final java.util.concurrent.atomic.AtomicBoolean draining;
    private final Duration drainTimeout;
    private final List<Reloadable> reloadables = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Passerelle(GatewayMetrics metrics, StoreSync sync, GatewayServer server, RoutingTableHolder routes,
                       AdminServer admin, FleetConfirmer confirmer, Spool spool, Replayer replayer,
                       HealthRegistry health, java.util.concurrent.atomic.AtomicBoolean draining, Duration drainTimeout) {
        this.health = health;
        this.draining = draining;
        this.drainTimeout = drainTimeout;
        this.spool = spool;
        this.replayer = replayer;
        this.metrics = metrics;
        this.sync = sync;
        this.server = server;
        this.routes = routes;
        this.admin = admin;
        this.confirmer = confirmer;
    }

    /**
     * Starts everything. The store may be unreachable: the gateway then routes from its snapshot (or seed) and
     * keeps trying; {@code /readyz} says so.
     *
     * @throws IllegalStateException    when a listener cannot be bound or the admin API may not start
     * @throws IllegalArgumentException when the seed is not valid
     */
    public static Passerelle start(GatewayConfig config) throws InterruptedException {
        java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
        GatewayMetrics metrics = new GatewayMetrics();
        RoutingTableHolder routes = new RoutingTableHolder(RoutingTable.empty());
        List<AutoCloseable> started = new ArrayList<>();
        started.add(metrics);
        try {
            String gatewayId = gatewayId(config);
            GatewayConfig.StoreConfig sc = config.store();
            JdbcStore.Options options = JdbcStore.Options.defaults()
                    .withConnectionTimeout(Duration.ofSeconds(1))
                    .withInitializationFailTimeout(Duration.ofSeconds(2))
                    .withSocketTimeout(Duration.ofSeconds(5))
                    .withMetricsTrackerFactory(metrics.hikariMetrics());
            StoreSync.StoreOpener opener = () -> new JdbcStore(sc.url(), sc.user(), sc.password(), options);
            GatewayServer[] serverRef = new GatewayServer[1];
            StoreSync sync = new StoreSync(opener, routes, new SnapshotFile(Path.of(sc.snapshot())),
                    SeedModel.groups(config.seed()), SeedModel.hosts(config.seed()), gatewayId, sc.pollInterval(),
                    Clock.systemUTC(), () -> info(serverRef[0]));
            Spool spool = openSpool(config);
            Replayer replayer = null;
            ReplayTrigger trigger = null;
            if (spool != null) {
                started.add(0, spool);
                List<Cidr> trusted = config.forwarding().trustedProxies().stream().map(Cidr::parse).toList();
                replayer = new Replayer(spool, new ForwardingHeaders(trusted, config.forwarding().via()));
                started.add(0, replayer);
                trigger = new ReplayTrigger(spool, replayer, routes);
            }
            ReplayTrigger replayOnOpen = trigger;
            HealthRegistry health = new HealthRegistry(config.health());
            started.add(0, health);
            metrics.bindHealth(health);
            routes.onSwap(table -> {
                metrics.tableChanged(table);
                // Checks follow the table: new backends are checked, removed ones forgotten (and their idle
                // pooled connections closed), each with one of its group's host names as Host.
                health.track(table.groups(), g -> table.anyHostOf(g.name()));
                health.applyAdminStates(table.backendStates());
                if (replayOnOpen != null) {
                    replayOnOpen.accept(table);
                }
            });
            started.add(0, sync);
            sync.start();
            metrics.bindRoutes(routes);
            metrics.bindStore(sync::storeReachable);

            GatewayServer server = new GatewayServer(config, routes, metrics, spool).withHealth(health).start();
            RoutingTable current = routes.get();
            health.track(current.groups(), g -> current.anyHostOf(g.name()));
            health.applyAdminStates(current.backendStates());
            serverRef[0] = server;
            metrics.bindNoticeCache(server.notices().cache());
            started.add(0, server);

            AdminServer admin = null;
            FleetConfirmer confirmer = null;
            if (config.admin().enabled()) {
                String token = config.admin().token() != null ? config.admin().token() : blankToNull(System.getenv("PASSERELLE_ADMIN_TOKEN"));
                confirmer = new FleetConfirmer(() -> requireStore(sync), config.admin().confirmTimeout(), config.admin().gatewayTtl());
                confirmer.setNudge(sync::reloadNow);
                started.add(0, confirmer);
                Router router = new Router();
                ControlApi control = new ControlApi(() -> requireStore(sync), confirmer, Clock.systemUTC());
                control.register(router);
                control.setHealthView((group, backend) -> {
                    java.net.InetSocketAddress address = health.find(backend.toString());
                    BackendStatus st = address == null ? null : health.status(address);
                    return st == null ? "unknown" : st.admin().equals("ready") ? st.health() : st.health() + " (" + st.admin() + ")";
                });
                CutoverVerifier verifier = new CutoverVerifier(health.probe(), CutoverVerifier.guard(config.defaultPageGuard()),
                        health, CutoverVerifier.SYSTEM_RESOLVER, config.cutover().timeout(), Clock.systemUTC());
                new CutoverApi(() -> requireStore(sync), confirmer, new Cutover(verifier, Clock.systemUTC()), health,
                        routes, config.cutover().path()).register(router);
                GatewayServer s = server;
                OpsRoutes.register(HealthRoutes.register(router, () -> notReady(s, sync, draining), scrape(metrics, spool, routes)));
                if (spool != null) {
                    new SpoolApi(spool, trigger, routes, () -> requireStore(sync)).register(router);
                }
                admin = new AdminServer(config.admin().listen().toSocketAddress(), token, router);
                admin.start();
                started.add(0, admin);
            }
            log.info("passerelle {} started: table version {}, {} hosts in {} groups, store {}", gatewayId,
                    routes.get().version(), routes.get().hostCount(), routes.get().groups().size(),
                    sync.storeReachable() ? "reachable" : "UNREACHABLE (" + sync.storeError() + ")");
            return new Passerelle(metrics, sync, server, routes, admin, confirmer, spool, replayer, health, draining,
                    config.server().drainTimeout());
        } catch (RuntimeException | InterruptedException e) {
            for (AutoCloseable c : started) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * The spool lives on local disk, not in the store, so it opens even when the store is away. A spool that
     * cannot open does not stop the gateway: queued writes are then refused with 503, never acknowledged.
     */
    private static Spool openSpool(GatewayConfig config) {
        try {
            return Spool.open(config.spool().toSettings());
        } catch (java.io.IOException | RuntimeException e) {
            log.error("the spool at {} cannot be opened; writes to queue-mode groups will be refused: {}",
                    config.spool().dir(), e.toString());
            return null;
        }
    }

    /** The write spool, or null when it could not be opened. */
    public Spool spool() {
        return spool;
    }

    /** The Prometheus text, with the spool's per-group gauges brought up to date first. */
    private static java.util.function.Supplier<String> scrape(GatewayMetrics metrics, Spool spool, RoutingTableHolder routes) {
        if (spool == null) {
            return metrics::scrape;
        }
        SpoolMetrics spoolMetrics = SpoolMetrics.bind(metrics.registry(), spool, routes, Clock.systemUTC());
        return () -> {
            spoolMetrics.refresh();
            return metrics.scrape();
        };
    }

    private static Store requireStore(StoreSync sync) {
        Store s = sync.store();
        if (s == null) {
            throw new StoreException("the store is unreachable: " + sync.storeError());
        }
        return s;
    }

    private static List<String> notReady(GatewayServer server, StoreSync sync, java.util.concurrent.atomic.AtomicBoolean draining) {
        List<String> reasons = new ArrayList<>();
        if (draining.get()) {
            reasons.add("draining: shutting down");
        }
        if (server.boundAddresses().isEmpty()) {
            reasons.add("no listener is bound");
        }
        if (!sync.storeReachable()) {
            reasons.add("store unreachable: " + sync.storeError());
        }
        return reasons;
    }

    private static String info(GatewayServer server) {
        return server == null ? "starting" : "listeners=" + server.boundAddresses();
    }

    static String gatewayId(GatewayConfig config) {
        String configured = config.server().gatewayId();
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        int n = INSTANCES.incrementAndGet();
        return host + "-" + ProcessHandle.current().pid() + (n == 1 ? "" : "-" + n);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    public List<InetSocketAddress> listeners() {
        return server.boundAddresses();
    }

    public RoutingTableHolder routes() {
        return routes;
    }

    /** The admin API's bound address, or null when it is disabled. */
    public InetSocketAddress adminAddress() {
        return admin == null ? null : admin.address();
    }

    /** The admin API's route registry (for the cutover and spool routes), or null when it is disabled. */
    public Router adminRoutes() {
        return admin == null ? null : admin.router();
    }

    public String gatewayId() {
        return sync.gatewayId();
    }

    public StoreSync storeSync() {
        return sync;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public GatewayServer server() {
        return server;
    }

    /**
     * The SIGTERM path: {@code /readyz} turns 503 so load balancers stop sending, listeners stop accepting,
     * in-flight requests finish (up to {@code server.drainTimeout}) and kept-alive connections close between
     * requests; queued writes still being written are committed before the spool closes; then everything stops.
     */
    public void shutdown() {
        draining.set(true);
        int cut = server.drain(drainTimeout);
        if (cut > 0) {
            log.warn("{} connection(s) still busy after the drain timeout ({}) were closed", cut, drainTimeout);
        }
        close();
    }

    public HealthRegistry health() {
        return health;
    }

    /** Adds a component to those {@link #reload} calls, in the order added. */
    public void addReloadable(Reloadable r) {
        reloadables.add(java.util.Objects.requireNonNull(r));
    }

    /**
     * Applies the file-level settings of a new, validated configuration ({@code SIGHUP}) without dropping a
     * connection: each registered {@link Reloadable}, then the data plane's limits and timeouts.
     */
    public void reload(GatewayConfig before, GatewayConfig after) {
        for (Reloadable r : reloadables) {
            try {
                r.reload(before, after);
            } catch (RuntimeException e) {
                log.error("reload of {} failed", r.getClass().getSimpleName(), e);
            }
        }
        server.reload(after);
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        if (confirmer != null) {
            confirmer.close();
        }
        server.close();
        health.close();
        if (replayer != null) {
            replayer.close();
        }
        if (spool != null) {
            spool.close();
        }
        sync.close();
        metrics.close();
    }
}
