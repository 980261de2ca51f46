package net.passerelle.gateway.metrics;

import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import net.passerelle.admin.model.Mode;
import net.passerelle.gateway.proxy.ExchangeRecord;
import net.passerelle.gateway.proxy.ProxyListener;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.routing.RoutingTableHolder;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The gateway's meters, in one place, on a Prometheus registry. Names (Prometheus spelling):
 * <ul>
 *   <li>{@value #REQUESTS} {@code _seconds_count/_sum/_max} and buckets, tags {@code group}, {@code outcome}: every
 *       exchange by group and outcome ({@code forwarded}, {@code refused}, {@code queued}, {@code unknown_host},
 *       {@code bad_request}, {@code error}). The {@code group} tag is the configured group name, never a host name:
 *       requests for an unknown host count under {@value #UNKNOWN_GROUP}, requests that never reached a group
 *       (malformed) under {@value #NO_GROUP}.</li>
 *   <li>{@value #UNKNOWN_HOSTS}: requests for a host that is not in the table.</li>
 *   <li>{@value #DEFAULT_PAGES}: backend answers that carried a default-page fingerprint and were replaced.</li>
 *   <li>{@value #GROUP_MODE}, tag {@code group}: the mode in force, 0 open, 1 read-only, 2 maintenance.</li>
 *   <li>{@value #BACKEND_QUEUE}: requests waiting in the gateway's line for a busy backend (their wait is the
 *       access log's {@code queueMs}; one that waits {@code upstream.queueTimeout} ends {@code overloaded}).</li>
 *   <li>{@value #TABLE_VERSION}: the routing-table version applied; {@value #STORE_REACHABLE}: 1 or 0.</li>
 *   <li>JVM (memory, GC, threads, class loading, CPU, uptime), Netty allocators ({@code netty_allocator_*}),
 *       HikariCP ({@code hikaricp_*}, through {@link #hikariMetrics()}).</li>
 * </ul>
 * {@link #exchangeDone} runs on event loops: it looks meters up in a map keyed by group and outcome and allocates
 * nothing once a pair has been seen.
 */
public final class GatewayMetrics implements ProxyListener, AutoCloseable {

    public static final String REQUESTS = "passerelle.requests";
    public static final String UNKNOWN_HOSTS = "passerelle.unknown.hosts";
    public static final String GROUP_MODE = "passerelle.group.mode";
    public static final String TABLE_VERSION = "passerelle.routing.table.version";
    public static final String STORE_REACHABLE = "passerelle.store.reachable";
    public static final String LEASE_HELD = "passerelle.lease.held";
    public static final String FAIL_SAFE = "passerelle.failsafe.active";
    public static final String BACKEND_QUEUE = "passerelle.backend.queue.waiting";
    public static final String ADMIN_AUTH_FAILURES = "passerelle.admin.auth.failures";
    public static final String ADMIN_AUTH_LIMITED = "passerelle.admin.auth.limited";
    public static final String DEFAULT_PAGES = "passerelle.default.pages.blocked";
    public static final String BACKEND_FIRST_BYTE = "passerelle.backend.first.byte";
    public static final String ACCESS_LOG_DROPPED = "passerelle.access.log.dropped";
    /** Latency buckets from a cached thumbnail to an upload that takes a minute. */
    static final java.time.Duration[] LATENCY_BUCKETS = java.util.stream.Stream.of(1, 5, 10, 25, 50, 100, 250, 500,
            1000, 2500, 5000, 10_000, 30_000, 60_000).map(java.time.Duration::ofMillis).toArray(java.time.Duration[]::new);
    public static final String UNKNOWN_GROUP = "_unknown";
    public static final String NO_GROUP = "_none";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Meters> meters = new ConcurrentHashMap<>();
    /** Held strongly here: Micrometer keeps function meters' state weakly. */
    private volatile java.util.function.LongSupplier accessLogDrops = () -> 0;
    private final Counter unknownHosts;
    private final Map<String, Meter> modeGauges = new ConcurrentHashMap<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private volatile RoutingTableHolder routes;
    // Micrometer holds gauge objects weakly: keep the registry reachable from here.
    private volatile Object healthRef;
    private volatile BooleanSupplier storeReachable = () -> false;
    private volatile BooleanSupplier leaseHeld = () -> false;
    private volatile BooleanSupplier failSafe = () -> false;
    private volatile java.util.function.LongSupplier authFailures = () -> 0;
    private volatile java.util.function.LongSupplier authLimited = () -> 0;
    private volatile java.util.function.IntSupplier backendWaiting = () -> 0;
    private final Counter defaultPages;

    public GatewayMetrics() {
        unknownHosts = Counter.builder(UNKNOWN_HOSTS).description("requests for a host that is not in the routing table")
                .register(registry);
        defaultPages = Counter.builder(DEFAULT_PAGES).description("backend answers replaced by the notice: a web server's default page")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
        new NettyAllocatorMetrics(UnpooledByteBufAllocator.DEFAULT).bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** For {@code JdbcStore.Options#withMetricsTrackerFactory}: the store's connection pool reports here. */
    public MetricsTrackerFactory hikariMetrics() {
        return new MicrometerMetricsTrackerFactory(registry);
    }

    /** Follows the routing table: version gauge, and one mode gauge per group of the table in force. */
    public void bindRoutes(RoutingTableHolder holder) {
        this.routes = holder;
        Gauge.builder(TABLE_VERSION, holder, h -> h.get().version()).description("routing-table version in force")
                .register(registry);
        tableChanged(holder.get());
    }

    /** Call after every swap (the holder's listener). */
    public void tableChanged(RoutingTable table) {
        Set<String> names = new HashSet<>();
        for (GroupRoute g : table.groups()) {
            names.add(g.name());
            modeGauges.computeIfAbsent(g.name(), name -> Gauge.builder(GROUP_MODE, this, m -> m.modeOf(name))
                    .description("mode in force: 0 open, 1 read-only, 2 maintenance")
                    .tag("group", name).register(registry));
        }
        modeGauges.entrySet().removeIf(e -> {
            if (!names.contains(e.getKey())) {
                registry.remove(e.getValue());
                return true;
            }
            return false;
        });
    }

    /** Backend health: transitions up and down, and how many backends are available now. */
    public void bindHealth(net.passerelle.gateway.health.HealthRegistry health) {
        io.micrometer.core.instrument.FunctionCounter.builder("passerelle_backend_transitions", health,
                net.passerelle.gateway.health.HealthRegistry::transitionsUp).tag("to", "up")
                .description("backend health transitions").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("passerelle_backend_transitions", health,
                net.passerelle.gateway.health.HealthRegistry::transitionsDown).tag("to", "down")
                .description("backend health transitions").register(registry);
        Gauge.builder("passerelle_backends_available", health,
                h -> h.snapshot().values().stream().filter(net.passerelle.gateway.health.BackendStatus::available).count())
                .description("backends that take new requests").register(registry);
        Gauge.builder("passerelle_backends", health, h -> h.snapshot().size())
                .description("backends known to the health checker").register(registry);
        this.healthRef = health;
    }

    /**
     * The data plane's own gauges: its notice-template cache (size, hits, misses, evictions), and the requests waiting
     * for a backend that has {@code upstream.maxPendingPerBackend} unanswered.
     */
    public void bindDataPlane(com.github.benmanes.caffeine.cache.Cache<?, ?> notices, java.util.function.IntSupplier waiting) {
        io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics.monitor(registry, notices, "notice_templates");
        // Not a gauge on the supplier itself: Micrometer holds that weakly, and a method reference made for this call
        // has nothing else holding it, so the gauge would read NaN after the first GC.
        this.backendWaiting = waiting;
        Gauge.builder(BACKEND_QUEUE, this, m -> m.backendWaiting.getAsInt())
                .description("requests waiting for a backend with upstream.maxPendingPerBackend unanswered requests")
                .register(registry);
    }

    /** Store reachability as a 0/1 gauge. */
    public void bindStore(BooleanSupplier reachable) {
        // Micrometer holds a gauge's object weakly: the supplier is kept here, the gauge reads it through this.
        this.storeReachable = reachable;
        Gauge.builder(STORE_REACHABLE, this, m -> m.storeReachable.getAsBoolean() ? 1 : 0)
                .description("1 when the store answered the last poll").register(registry);
    }

    /** The lease and the fail-safe as 0/1 gauges. */
    public void bindLease(BooleanSupplier held, BooleanSupplier failSafe) {
        this.leaseHeld = held;
        this.failSafe = failSafe;
        Gauge.builder(LEASE_HELD, this, m -> m.leaseHeld.getAsBoolean() ? 1 : 0)
                .description("1 while this gateway holds its lease in the store (the fleet waits for it)").register(registry);
        Gauge.builder(FAIL_SAFE, this, m -> m.failSafe.getAsBoolean() ? 1 : 0)
                .description("1 while the read-only fail-safe is in force (no lease)").register(registry);
    }

    /** The admin API's failed authentications, and the calls refused while their address was over the limit. */
    public void bindAdminAuth(java.util.function.LongSupplier failures, java.util.function.LongSupplier limited) {
        this.authFailures = failures;
        this.authLimited = limited;
        io.micrometer.core.instrument.FunctionCounter.builder(ADMIN_AUTH_FAILURES, this, m -> m.authFailures.getAsLong())
                .description("admin API calls with a missing or wrong token").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder(ADMIN_AUTH_LIMITED, this, m -> m.authLimited.getAsLong())
                .description("admin API calls refused (429) because their address failed too often").register(registry);
    }

    private double modeOf(String group) {
        RoutingTableHolder h = routes;
        GroupRoute g = h == null ? null : h.get().group(group);
        if (g == null) {
            return Double.NaN;
        }
        return modeValue(g.mode());
    }

    static int modeValue(Mode mode) {
        return switch (mode) {
            case OPEN -> 0;
            case READ_ONLY -> 1;
            case MAINTENANCE -> 2;
        };
    }

    @Override
    public void exchangeDone(ExchangeRecord r) {
        record(r.group(), r.outcome(), r.totalNanos(), r.firstByteNanos());
    }

    /**
     * Counts one exchange: its total time by group and outcome, and the backend's first-byte time by group. The group
     * tag is the configured group ({@value #UNKNOWN_GROUP} for unknown hosts, {@value #NO_GROUP} before routing),
     * never a host name: the label set stays bounded whatever visitors send.
     */
    public void record(GroupRoute group, Outcome outcome, long totalNanos, long firstByteNanos) {
        String name;
        if (group != null) {
            name = group.name();
        } else if (outcome == Outcome.UNKNOWN_HOST) {
            name = UNKNOWN_GROUP;
        } else {
            name = NO_GROUP;
        }
        if (outcome == Outcome.UNKNOWN_HOST) {
            unknownHosts.increment();
        }
        Meters m = meters.get(name);
        if (m == null) {
            m = meters(name);
        }
        m.total(outcome).record(totalNanos, TimeUnit.NANOSECONDS);
        if (firstByteNanos >= 0) {
            m.firstByte.record(firstByteNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** A group's timers, made on first use (the request path reads the concurrent map without a lock). */
    private synchronized Meters meters(String group) {
        Meters m = meters.get(group);
        if (m == null) {
            Timer firstByte = Timer.builder(BACKEND_FIRST_BYTE)
                    .description("from the request sent to a backend to its response head, by group")
                    .tag("group", group).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
            m = new Meters(group, firstByte);
            meters.put(group, m);
        }
        return m;
    }

    /** The meters of one group. */
    private final class Meters {
        private final String group;
        private final Timer firstByte;
        private final Timer[] byOutcome = new Timer[Outcome.values().length];

        Meters(String group, Timer firstByte) {
            this.group = group;
            this.firstByte = firstByte;
        }

        Timer total(Outcome outcome) {
            Timer t = byOutcome[outcome.ordinal()];
            if (t == null) {
                // Micrometer returns the same timer for the same name and tags: racing threads agree.
                t = Timer.builder(REQUESTS).description("exchanges by group and outcome, from request head to response end")
                        .tag("group", group).tag("outcome", outcome.label())
                        .serviceLevelObjectives(LATENCY_BUCKETS)
                        .register(registry);
                byOutcome[outcome.ordinal()] = t;
            }
            return t;
        }
    }

    @Override
    public void defaultPageBlocked(GroupRoute group, String backend, String fingerprint) {
        defaultPages.increment();
    }

    /** Access-log lines dropped because the writer could not keep up (the request path never waits for it). */
    public void bindAccessLogDrops(java.util.function.LongSupplier dropped) {
        accessLogDrops = dropped;
        io.micrometer.core.instrument.FunctionCounter.builder(ACCESS_LOG_DROPPED, this, m -> m.accessLogDrops.getAsLong())
                .description("access-log lines dropped because its writer could not keep up").register(registry);
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
