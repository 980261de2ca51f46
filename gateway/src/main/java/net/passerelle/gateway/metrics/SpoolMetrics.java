package net.passerelle.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.spool.EntryStatus;
import net.passerelle.gateway.spool.ReplayOutcomes;
import net.passerelle.gateway.spool.Spool;
import net.passerelle.gateway.spool.SpoolStats;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The spool's meters, per group (the configured group name, never a host: labels stay bounded):
 * <ul>
 *   <li>{@value #DEPTH}: writes waiting for replay; {@value #BYTES}: bytes on disk; {@value #OLDEST_AGE}: age in
 *       seconds of the oldest waiting write (0 when none waits). Alert on the age, which keeps growing while a replay
 *       is stuck, rather than on the depth alone. {@value #FAILED_FINAL}: writes failed for good, which leave the
 *       depth and the age but stay until ops requeue or discard them (alert on {@code > 0}).</li>
 *   <li>{@value #DELIVERED}: replayed writes the backend accepted (its rate is the replay rate);
 *       {@value #FAILURES}, tag {@code kind}: {@code retry} (a connection failure or 5xx, tried again later) or
 *       {@code final} (refused, or out of attempts: ops must look at it).</li>
 * </ul>
 * Gauges exist for every group of the routing table and every group with a spool directory; {@link #refresh()}
 * brings that set up to date and is called before each scrape. The counters of such a group exist from then on too, at
 * zero: a series that appears only with its first event hides that event from {@code rate()} and {@code increase()},
 * so an alert on the first {@code final} failure would never fire.
 */
public final class SpoolMetrics implements ReplayOutcomes {
    public static final String DEPTH = "passerelle.spool.depth";
    public static final String BYTES = "passerelle.spool.bytes";
    public static final String OLDEST_AGE = "passerelle.spool.oldest.age";
    public static final String FAILED_FINAL = "passerelle.spool.failed.final";
    public static final String DELIVERED = "passerelle.spool.replay.delivered";
    public static final String FAILURES = "passerelle.spool.replay.failures";

    private static final List<String> KINDS = List.of("delivered", "retry", "final");

    private final MeterRegistry registry;
    private final Spool spool;
    private final RoutingTableHolder routes;
    private final Clock clock;
    private final Map<String, List<Meter>> gauges = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    private SpoolMetrics(MeterRegistry registry, Spool spool, RoutingTableHolder routes, Clock clock) {
        this.registry = registry;
        this.spool = spool;
        this.routes = routes;
        this.clock = clock;
    }

    /** Registers the meters and listens to the spool's replay outcomes. */
    public static SpoolMetrics bind(MeterRegistry registry, Spool spool, RoutingTableHolder routes, Clock clock) {
        SpoolMetrics m = new SpoolMetrics(registry, spool, routes, clock);
        spool.setReplayOutcomes(m);
        m.refresh();
        return m;
    }

    /** One gauge set per group of the table or of the spool; groups gone from both lose theirs. */
    public synchronized void refresh() {
        Set<String> names = new TreeSet<>(spool.groups());
        for (GroupRoute g : routes.get().groups()) {
            names.add(g.name());
        }
        for (String name : names) {
            gauges.computeIfAbsent(name, this::register);
            for (String kind : KINDS) {
                counters.computeIfAbsent(name + '\u0000' + kind, k -> counter(name, kind));
            }
        }
        gauges.entrySet().removeIf(e -> {
            if (names.contains(e.getKey())) {
                return false;
            }
            e.getValue().forEach(registry::remove);
            return true;
        });
    }

    private List<Meter> register(String group) {
        return List.of(
                Gauge.builder(DEPTH, this, m -> SpoolStats.of(m.spool, group).depth())
                        .description("queued writes waiting for replay").tag("group", group).register(registry),
                Gauge.builder(BYTES, this, m -> SpoolStats.of(m.spool, group).bytes()).baseUnit("bytes")
                        .description("bytes of queued writes on disk").tag("group", group).register(registry),
                Gauge.builder(OLDEST_AGE, this, m -> m.oldestAgeSeconds(group)).baseUnit("seconds")
                        .description("age of the oldest queued write waiting for replay (0 when none waits)")
                        .tag("group", group).register(registry),
                Gauge.builder(FAILED_FINAL, this, m -> SpoolStats.of(m.spool, group).failedFinal())
                        .description("queued writes failed for good, kept until ops requeue or discard them")
                        .tag("group", group).register(registry));
    }

    private double oldestAgeSeconds(String group) {
        SpoolStats s = SpoolStats.of(spool, group);
        if (s.oldestArrival() == null) {
            return 0;
        }
        return Math.max(0, Duration.between(s.oldestArrival(), clock.instant()).toMillis() / 1000.0);
    }

    @Override
    public void outcome(String group, EntryStatus status) {
        String kind = switch (status) {
            case DELIVERED -> "delivered";
            case PENDING -> "retry";
            case FAILED_FINAL -> "final";
            default -> null;
        };
        if (kind != null) {
            counters.computeIfAbsent(group + '\u0000' + kind, k -> counter(group, kind)).increment();
        }
    }

    private Counter counter(String group, String kind) {
        if (kind.equals("delivered")) {
            return Counter.builder(DELIVERED).description("replayed writes the backend accepted")
                    .tag("group", group).register(registry);
        }
        return Counter.builder(FAILURES).description("replay attempts that failed: retry (tried again later) or final")
                .tag("group", group).tag("kind", kind).register(registry);
    }

    /** The Prometheus text of {@code metrics}, with the spool's per-group gauges brought up to date first. */
    public static java.util.function.Supplier<String> scrape(GatewayMetrics metrics, net.passerelle.gateway.spool.Spool spool,
                                                             net.passerelle.gateway.routing.RoutingTableHolder routes) {
        if (spool == null) {
            return metrics::scrape;
        }
        SpoolMetrics spoolMetrics = bind(metrics.registry(), spool, routes, java.time.Clock.systemUTC());
        return () -> {
            spoolMetrics.refresh();
            return metrics.scrape();
        };
    }
}
