package net.passerelle.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The migrations' meters (Prometheus spelling):
 * <ul>
 *   <li>{@code passerelle_migrations{state}}: migrations in each state, fleet-wide (read from the store by this
 *       process's migration driver; every state is present, 0 when none is in it);</li>
 *   <li>{@code passerelle_migration_read_only_seconds{group}}: how long each group under a migration that keeps it
 *       read-only has been read-only; a group leaves the series when it opens again;</li>
 *   <li>{@code passerelle_migration_read_only_overrun_total{group}}: migrations that passed their
 *       {@code maxReadOnlySeconds}; counted once per migration, by the process that noticed it first.</li>
 * </ul>
 * Passing the bound is an alert for people, not an action: nothing is opened by it.
 */
public final class MigrationMetrics {
    public static final String MIGRATIONS = "passerelle.migrations";
    public static final String READ_ONLY_SECONDS = "passerelle.migration.read.only.seconds";
    public static final String OVERRUNS = "passerelle.migration.read.only.overrun";

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> byState = new ConcurrentHashMap<>();
    private final MultiGauge readOnly;

    /** @param states every state's wire name, so that each series exists from the start */
    public MigrationMetrics(MeterRegistry registry, List<String> states) {
        this.registry = registry;
        for (String s : states) {
            AtomicLong v = byState.computeIfAbsent(s, k -> new AtomicLong());
            Gauge.builder(MIGRATIONS, v, AtomicLong::get).tag("state", s)
                    .description("migrations by state, fleet-wide").register(registry);
        }
        readOnly = MultiGauge.builder(READ_ONLY_SECONDS)
                .description("seconds a group under migration has been read-only").register(registry);
    }

    /** The counts by state; states absent from {@code counts} are 0. */
    public void states(Map<String, Integer> counts) {
        byState.forEach((state, v) -> v.set(counts.getOrDefault(state, 0)));
    }

    /** The groups read-only because of a migration now, with their seconds; the others leave the series. */
    public void readOnly(Map<String, Long> secondsByGroup) {
        readOnly.register(secondsByGroup.entrySet().stream()
                .map(e -> MultiGauge.Row.of(Tags.of("group", e.getKey()), e.getValue()))
                .toList(), true);
    }

    /** A migration of {@code group} passed its bound. */
    public void overrun(String group) {
        Counter.builder(OVERRUNS).tag("group", group)
                .description("migrations that kept their group read-only longer than maxReadOnlySeconds")
                .register(registry).increment();
    }
}
