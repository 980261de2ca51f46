package net.passerelle.gateway;

import net.passerelle.admin.api.Router;
import net.passerelle.admin.store.JdbcCertificateStore;
import net.passerelle.admin.store.JdbcStore;
import net.passerelle.admin.store.Store;
import net.passerelle.admin.store.StoreException;
import net.passerelle.gateway.admin.GatewayAdmin;
import net.passerelle.gateway.config.StoreConfig;
import net.passerelle.gateway.config.Cidr;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.control.LeaseReadiness;
import net.passerelle.gateway.control.GatewayId;
import net.passerelle.gateway.control.SeedModel;
import net.passerelle.gateway.cutover.GuardPageCheck;
import net.passerelle.gateway.control.SnapshotFile;
import net.passerelle.gateway.control.StoreSync;
import net.passerelle.gateway.health.HealthRegistry;
import net.passerelle.gateway.health.HealthSettings;
import net.passerelle.gateway.http.ForwardingHeaders;
import net.passerelle.gateway.metrics.GatewayMetrics;
import net.passerelle.gateway.metrics.SpoolMetrics;
import net.passerelle.gateway.reload.Reloadable;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.accesslog.AccessLog;
import net.passerelle.gateway.accesslog.AccessLogAppender;
import net.passerelle.gateway.accesslog.Redaction;
import net.passerelle.gateway.proxy.ProxyListener;
import net.passerelle.gateway.server.GatewayServer;
import net.passerelle.gateway.tls.TlsConnectionFacts;
import net.passerelle.gateway.tls.edge.TlsEdgeRules;
import net.passerelle.gateway.tls.edge.TlsEdge;
import net.passerelle.gateway.spool.ReplayTrigger;
import net.passerelle.gateway.spool.Replayer;
import net.passerelle.gateway.spool.Spool;
import net.passerelle.gateway.spool.SpoolSettings;
import net.passerelle.gateway.spool.SpoolStats;
import net.passerelle.gateway.migration.SpoolBeacon;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The assembled process, started in named steps (see {@link #start}): the spool, health checks, the table
 * following the store, the data plane, then (unless {@code admin.enabled: false}) the admin API. {@link #close()}
 * stops what started in the reverse order: the admin API and the listeners first, then the store sync (so no table
 * swap reaches a closed part), health, the spool, and the metrics last.
 *
 * <p>The gateway's identity in the fleet ({@link #gatewayId()}) is {@code server.gatewayId} when set, otherwise
 * {@code <host name>-<pid>} (with {@code -2}, {@code -3}… for further instances in the same JVM): stable for the
 * life of the process, distinct between processes. A stopped gateway releases its lease, so it is no longer waited
 * for; one that crashed is named lost by the changes written during its last lease, then no longer waited for.
 *
 * <h2>Readiness</h2>
 * {@code /readyz} is not-ready for what a load balancer must act on: no listener bound, draining, and (with
 * {@code store.onLeaseLost: unready}) the lease lost for longer than {@code store.leaseLostGrace}. A store that is
 * unreachable for less than the lease, or a fail-safe in force, are notes in its answer, not reasons.
 */
public final class Passerelle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Passerelle.class);

    private final GatewayConfig config;
    private final String gatewayId;
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final RoutingTableHolder routes = new RoutingTableHolder(RoutingTable.empty());
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Everything started so far, the newest first: the order {@link #close()} stops them in. */
    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    private Spool spool;
    private ReplayTrigger replay;
    private HealthRegistry health;
    private StoreSync sync;
    private volatile GatewayServer server;
    private GatewayAdmin admin;
    private TlsEdge tls;
    private final List<Reloadable> reloadables = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Who hears of every exchange: the metrics, and the access log when it is on. */
    private ProxyListener exchanges = metrics;

    private Passerelle(GatewayConfig config) {
        this.config = config;
        this.gatewayId = GatewayId.of(config.server().gatewayId());
        started.push(metrics);
    }

    /**
     * Starts everything. The store may be unreachable: the gateway then routes from its snapshot (or seed) and
     * keeps trying; {@code /readyz} says so. When a step fails, what started before it is closed.
     *
     * @throws IllegalStateException    when a listener cannot be bound or the admin API may not start
     * @throws IllegalArgumentException when the seed is not valid
     */
    public static Passerelle start(GatewayConfig config) throws InterruptedException {
        List<String> problems = StartupChecks.problems(config, System::getenv);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        Passerelle p = new Passerelle(config);
        try {
            p.openSpool();
            p.startHealth();
            p.followTable();
            p.openStore();
            p.startTls();
            p.startAccessLog();
            p.startDataPlane();
            p.startAdmin();
        } catch (RuntimeException | InterruptedException e) {
            p.closeAfter(e);
            throw e;
        }
        p.logStarted();
        return p;
    }

    /**
     * The spool lives on local disk, not in the store, so it opens even when the store is away. A spool that
     * cannot open does not stop the gateway: queued writes are then refused with 503, never acknowledged.
     */
    private void openSpool() {
        try {
            spool = Spool.open(SpoolSettings.from(config.spool()));
        } catch (java.io.IOException | RuntimeException e) {
            log.error("the spool at {} cannot be opened; writes to queue-mode groups will be refused: {}",
                    config.spool().dir(), e.toString());
            return;
        }
        started.push(spool);
        List<Cidr> trusted = config.forwarding().trustedProxies().stream().map(Cidr::parse).toList();
        Replayer replayer = new Replayer(spool, new ForwardingHeaders(trusted, config.forwarding().via()));
        started.push(replayer);
        replay = new ReplayTrigger(spool, replayer, routes);
    }

    private void startHealth() {
        health = new HealthRegistry(HealthSettings.from(config.health()), new GuardPageCheck(config.defaultPageGuard()));
        started.push(health);
        metrics.bindHealth(health);
    }

    /**
     * What follows every table swap: metrics; health checks (new backends are checked, removed ones forgotten and
     * their idle pooled connections closed, each checked with one of its group's host names as Host) and the
     * fleet's admin states; the replay of groups that left read-only.
     */
    private void followTable() {
        routes.onSwap(table -> {
            metrics.tableChanged(table);
            trackHealth(table);
            if (replay != null) {
                replay.accept(table);
            }
        });
    }

    private void trackHealth(RoutingTable table) {
        health.track(table.groups(), g -> table.anyHostOf(g.name()));
        health.applyAdminStates(table.backendStates());
    }

    /** Starts following the store: the seed, then the table (or the snapshot while the store is away). */
    private void openStore() {
        StoreConfig sc = config.store();
        JdbcStore.Options options = JdbcStore.Options.defaults()
                .withConnectionTimeout(Duration.ofSeconds(1))
                .withInitializationFailTimeout(Duration.ofSeconds(2))
                .withSocketTimeout(Duration.ofSeconds(5))
                .withMetricsTrackerFactory(metrics.hikariMetrics());
        sync = new StoreSync(() -> new JdbcStore(sc.url(), sc.user(), sc.password(), options), routes,
                new SnapshotFile(Path.of(sc.snapshot())), SeedModel.groups(config.seed()), SeedModel.hosts(config.seed()),
                gatewayId, sc.pollInterval(), sc.lease(), Clock.systemUTC(), this::heartbeatInfo);
        started.push(sync);
        sync.start();
        metrics.bindRoutes(routes);
        metrics.bindStore(sync::storeReachable);
        metrics.bindLease(sync::leaseHeld, sync::failSafe);
    }

    /** TLS listeners' certificates (files, and ACME through the store), when {@code tls.listeners} is set. */
    private void startTls() {
        if (!config.tls().enabled()) {
            return;
        }
        try {
            // ALPN offers h2 first when HTTP/2 is on; the TLS listeners' pipeline installs what it chose.
            List<String> alpn = config.http2().enabled() ? List.of("h2", "http/1.1") : List.of("http/1.1");
            tls = TlsEdge.start(config.tls(), alpn, routes,
                    () -> sync.store() instanceof JdbcStore j ? JdbcCertificateStore.of(j) : null,
                    metrics.registry(), gatewayId, Clock.systemUTC());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("tls: " + e.getMessage(), e);
        }
        started.push(tls);
    }

    /** The access log, when {@code accessLog.enabled}: a listener of every exchange beside the metrics. */
    private void startAccessLog() {
        if (!config.accessLog().enabled()) {
            return;
        }
        AccessLogAppender appender = AccessLogAppender.install(config.accessLog());
        started.push(appender);
        metrics.bindAccessLogDrops(appender::dropped);
        exchanges = ProxyListener.both(metrics, new AccessLog(appender.logger(), new Redaction(config.accessLog().redact())));
    }

    private void startDataPlane() throws InterruptedException {
        GatewayServer s = new GatewayServer(config, routes, exchanges, spool).withHealth(health);
        if (tls != null) {
            List<Cidr> trusted = config.forwarding().trustedProxies().stream().map(Cidr::parse).toList();
            s.withTls(config.tls().listeners(), tls.handshakes(),
                    new TlsConnectionFacts(new ForwardingHeaders(trusted, config.forwarding().via())));
            s.withEdge(new TlsEdgeRules(tls.challenges(), tls.redirect(this::tlsPort)));
        }
        server = s.start();
        started.push(server);
        trackHealth(routes.get());
        metrics.bindDataPlane(server.notices().cache(), server.upstreams()::waiting);
    }

    private void startAdmin() throws InterruptedException {
        if (!config.admin().enabled()) {
            return;
        }
        admin = GatewayAdmin.start(config, new GatewayAdmin.Parts(this::requireStore, sync::reloadNow, routes, health,
                spool, replay, tls, this::notReady, () -> LeaseReadiness.notes(sync), SpoolMetrics.scrape(metrics, spool, routes),
                gatewayId, metrics.registry()));
        started.push(admin);
        metrics.bindAdminAuth(admin.authenticator()::failures, admin.authenticator()::refusedWhileLimited);
    }

    private void logStarted() {
        RoutingTable table = routes.get();
        log.info("passerelle {} started: table version {}, {} hosts in {} groups, store {}", gatewayId,
                table.version(), table.hostCount(), table.groups().size(),
                sync.storeReachable() ? "reachable" : "UNREACHABLE (" + sync.storeError() + ")");
    }

    private Store requireStore() {
        Store s = sync.store();
        if (s == null) {
            throw new StoreException("the store is unreachable: " + sync.storeError());
        }
        return s;
    }

    private List<String> notReady() {
        List<String> reasons = new ArrayList<>();
        if (draining.get()) {
            reasons.add("draining: shutting down");
        }
        if (server.boundAddresses().isEmpty()) {
            reasons.add("no listener is bound");
        }
        reasons.addAll(LeaseReadiness.reasons(sync, config.store()));
        return reasons;
    }

    /** What the fleet reads in this gateway's heartbeat: its listeners, and its spool's waiting writes by group. */
    private String heartbeatInfo() {
        GatewayServer s = server;
        if (s == null) {
            return "starting";
        }
        Spool sp = spool;
        String waiting = sp == null ? "" : SpoolBeacon.format(sp.groups(), g -> SpoolStats.of(sp, g).depth());
        return "listeners=" + s.boundAddresses() + (waiting.isEmpty() ? "" : " " + waiting);
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

    /** The bound port of the TLS listeners, for https redirects (0 until they are bound). */
    private int tlsPort() {
        GatewayServer s = server;
        List<InetSocketAddress> bound = s == null ? List.of() : s.tlsAddresses();
        return bound.isEmpty() ? 0 : bound.get(0).getPort();
    }

    /** The TLS edge (certificates, ACME), or null without TLS listeners. */
    public TlsEdge tls() {
        return tls;
    }

    /** The TLS listeners' bound addresses (empty without TLS). */
    public List<InetSocketAddress> tlsListeners() {
        return server.tlsAddresses();
    }

    /** The write spool, or null when it could not be opened. */
    public Spool spool() {
        return spool;
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

    /** The admin API's route registry, or null when it is disabled. */
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

    public HealthRegistry health() {
        return health;
    }

    /**
     * The SIGTERM path: {@code /readyz} turns 503 so load balancers stop sending, listeners stop accepting,
     * in-flight requests finish (up to {@code server.drainTimeout}) and kept-alive connections close between
     * requests; queued writes still being written are committed before the spool closes; then everything stops.
     */
    public void shutdown() {
        draining.set(true);
        Duration drainTimeout = config.server().drainTimeout();
        int cut = server.drain(drainTimeout);
        if (cut > 0) {
            log.warn("{} connection(s) still busy after the drain timeout ({}) were closed", cut, drainTimeout);
        }
        close();
    }

    /** Stops everything that started, newest first; a second call does nothing. */
    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /** After a failed start: closes what did start, keeping its failures as suppressed exceptions of {@code cause}. */
    private synchronized void closeAfter(Exception cause) {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception suppressed) {
                cause.addSuppressed(suppressed);
            }
        }
    }
}
