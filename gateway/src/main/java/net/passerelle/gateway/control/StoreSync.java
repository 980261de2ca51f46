package net.passerelle.gateway.control;

import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.HostMapping;
import net.passerelle.admin.model.RoutingState;
import net.passerelle.admin.store.Store;
import net.passerelle.admin.store.StoreException;
import net.passerelle.gateway.routing.RoutingTableHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Keeps a gateway's in-memory routing table in step with the store, off the request path, and holds the gateway's
 * lease.
 *
 * <ul>
 *   <li>Start: opens the store, writes the seed (idempotent; a seed that disagrees with the store is reported, see
 *       {@link SeedDrift}), loads and applies the table. When the store cannot be opened, applies the local snapshot
 *       (or, without one, the seed alone) and keeps trying to open the store.</li>
 *   <li>Every {@code pollInterval}: reads the store's version, reloads and applies the table when it changed, writes
 *       the snapshot, and heartbeats {@code (gatewayId, appliedVersion, info)}, which renews the lease. A failing
 *       store is reported ({@link #storeReachable()}) and the last table stays in force.</li>
 *   <li>The lease ({@link LocalLease}): when it lapses, the table in force turns to the read-only fail-safe
 *       ({@link TableInForce}); a gateway without a lease renews it <em>before</em> it reads the table, and lifts the
 *       fail-safe only after that read, so it never enforces a table older than a change the admin API did not wait
 *       for it to apply.</li>
 *   <li>{@link #reloadNow()}: an admin call in the same process asks for an immediate poll.</li>
 *   <li>Close: the lease is released, so the fleet stops waiting for this gateway at once.</li>
 * </ul>
 *
 * Store I/O runs on the {@code passerelle-store-sync} thread; window rebuilds and the lease's timer on a second
 * thread, so a slow store never delays a window nor the fail-safe.
 */
public final class StoreSync implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StoreSync.class);
    private static final Duration MAX_REOPEN_BACKOFF = Duration.ofSeconds(5);
    /** The lease when none is given: {@code store.lease}'s default. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(4);
    /** A stopped gateway silent this long is dropped from the fleet's list (it is listed again if it comes back). */
    public static final Duration FORGET_STOPPED_AFTER = Duration.ofDays(7);
    private static final Duration FORGET_EVERY = Duration.ofHours(1);

    /** Opens the store; throws {@link StoreException} when it is unreachable. */
    @FunctionalInterface
    public interface StoreOpener {
        Store open();
    }

    private final StoreOpener opener;
    private final SnapshotFile snapshot;
    private final List<Group> seedGroups;
    private final List<HostMapping> seedHosts;
    private final String gatewayId;
    private final Duration pollInterval;
    private final Duration leaseDuration;
    private final Clock clock;
    private final Supplier<String> info;
    private final ScheduledExecutorService poller;
    private final ScheduledExecutorService timers;
    private final TableInForce table;
    private final LocalLease lease;
    private final Object pollLock = new Object();

    private volatile Store store;
    private volatile boolean reachable;
    private volatile String lastError = "not started";
    private volatile boolean seeded;
    private boolean driftChecked;
    private Instant nextOpenAttempt = Instant.MIN;
    private Duration reopenBackoff = Duration.ofMillis(250);
    private ScheduledFuture<?> pollTask;
    /** When the next look for stopped gateways is due (the first poll looks). */
    private long forgetDueNanos = System.nanoTime();

    public StoreSync(StoreOpener opener, RoutingTableHolder holder, SnapshotFile snapshot, List<Group> seedGroups,
                     List<HostMapping> seedHosts, String gatewayId, Duration pollInterval, Clock clock, Supplier<String> info) {
        this(opener, holder, snapshot, seedGroups, seedHosts, gatewayId, pollInterval, DEFAULT_LEASE, clock, info);
    }

    /** @param lease how long one heartbeat holds this gateway's lease ({@code store.lease}) */
    public StoreSync(StoreOpener opener, RoutingTableHolder holder, SnapshotFile snapshot, List<Group> seedGroups,
                     List<HostMapping> seedHosts, String gatewayId, Duration pollInterval, Duration lease, Clock clock,
                     Supplier<String> info) {
        this.opener = Objects.requireNonNull(opener);
        this.snapshot = Objects.requireNonNull(snapshot);
        this.seedGroups = List.copyOf(seedGroups);
        this.seedHosts = List.copyOf(seedHosts);
        this.gatewayId = Objects.requireNonNull(gatewayId);
        this.pollInterval = Objects.requireNonNull(pollInterval);
        this.leaseDuration = Objects.requireNonNull(lease);
        this.clock = Objects.requireNonNull(clock);
        this.info = info == null ? () -> null : info;
        this.poller = Executors.newSingleThreadScheduledExecutor(named("passerelle-store-sync"));
        this.timers = Executors.newSingleThreadScheduledExecutor(named("passerelle-windows"));
        this.lease = new LocalLease(lease, timers, this::leaseLapsed);
        this.table = new TableInForce(Objects.requireNonNull(holder), snapshot, clock, timers, this.lease::deadlineNanos);
    }

    /**
     * Applies the first table (store, else snapshot, else seed) before returning, then starts polling.
     *
     * @throws IllegalArgumentException when the seed does not fit the store (a configuration error)
     */
    public StoreSync start() {
        try {
            CompletableFuture.runAsync(this::firstLoad, poller).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
        long millis = Math.max(10, pollInterval.toMillis());
        pollTask = poller.scheduleWithFixedDelay(this::tickSafely, millis, millis, TimeUnit.MILLISECONDS);
        return this;
    }

    private void firstLoad() {
        if (tryOpen() && table.current() != null) {
            return;
        }
        RoutingState fallback;
        String from;
        try {
            Optional<RoutingState> fromFile = snapshot.read();
            fallback = fromFile.orElseGet(() -> new RoutingState(0, seedGroups, seedHosts));
            from = fromFile.isPresent() ? "the snapshot " + snapshot.path() + " (version " + fallback.version() + ")"
                    : "the configuration's seed (no snapshot at " + snapshot.path() + ")";
        } catch (IOException e) {
            fallback = new RoutingState(0, seedGroups, seedHosts);
            from = "the configuration's seed (" + e.getMessage() + ")";
        }
        log.warn("store unreachable ({}): routing from {}, every group read-only until the store confirms this gateway's"
                + " lease (store.onLeaseLost)", lastError, from);
        table.apply(fallback, false);
    }

    /** Opens the store if it is not open; seeds and applies it. True when the store is open and applied. */
    private boolean tryOpen() {
        if (store != null) {
            return true;
        }
        Instant now = clock.instant();
        if (now.isBefore(nextOpenAttempt)) {
            return false;
        }
        Store s;
        try {
            s = opener.open();
        } catch (StoreException e) {
            unreachable(e);
            nextOpenAttempt = now.plus(reopenBackoff);
            reopenBackoff = min(reopenBackoff.multipliedBy(2), MAX_REOPEN_BACKOFF);
            return false;
        }
        store = s;
        reopenBackoff = Duration.ofMillis(250);
        try {
            poll(s);
        } catch (StoreException e) {
            unreachable(e);
        }
        return true;
    }

    private void poll(Store s) {
        if (!seeded) {
            s.seed(seedGroups, seedHosts);
            seeded = true;
        }
        // Under the fail-safe (even if a late renewal got through since), the lease is renewed first: any change
        // written while this gateway was not waited for is then in the table read next, before the fail-safe lifts.
        boolean recovering = table.failSafe() || !lease.held();
        if (recovering) {
            renew(s);
        }
        RoutingState applied = table.current();
        long version = s.version();
        if (applied == null || version != applied.version() || !table.fromStore()) {
            RoutingState state = s.load();
            table.apply(state, true);
            reportSeedDrift(state);
        }
        if (recovering && lease.held()) {
            table.failSafe(false, "the store confirmed it, table version " + table.current().version());
        }
        renew(s);
        forgetStopped(s);
        if (!reachable) {
            log.info("store reachable, table version {} applied", table.current().version());
        }
        reachable = true;
        lastError = null;
    }

    /**
     * Once an hour, forgets the gateways stopped and silent for {@link #FORGET_STOPPED_AFTER}: with the default id
     * ({@code <host>-<pid>}) each restart is a new gateway, and the list would otherwise grow with every deploy. Every
     * gateway does it; the first to look finds them. Not a reason to call the store unreachable if it fails.
     */
    private void forgetStopped(Store s) {
        long now = System.nanoTime();
        if (now - forgetDueNanos < 0) {
            return;
        }
        forgetDueNanos = now + FORGET_EVERY.toNanos();
        try {
            List<String> forgotten = s.forgetStoppedGateways(FORGET_STOPPED_AFTER);
            if (!forgotten.isEmpty()) {
                log.info("forgot {} gateway(s) stopped and silent for over {} days: {}", forgotten.size(),
                        FORGET_STOPPED_AFTER.toDays(), String.join(", ", forgotten));
            }
        } catch (StoreException e) {
            log.debug("could not forget stopped gateways this time: {}", e.toString());
        }
    }

    /** Heartbeats the version in force and renews the lease, counted from before the call. */
    private void renew(Store s) {
        long sent = lease.sending();
        RoutingState applied = table.current();
        s.renewLease(gatewayId, applied == null ? 0 : applied.version(), info.get(), leaseDuration);
        lease.renewed(sent);
        table.leaseExtended(lease.deadlineNanos());
    }

    private void leaseLapsed() {
        String why = reachable ? "the store did not record a renewal in time" : "store unreachable: " + lastError;
        table.failSafe(true, why);
    }

    private void reportSeedDrift(RoutingState state) {
        if (driftChecked) {
            return;
        }
        driftChecked = true;
        List<String> differences = SeedDrift.differences(seedGroups, seedHosts, state);
        if (!differences.isEmpty()) {
            log.warn("the configuration's seed differs from the store, and the store wins (the seed only creates what"
                    + " was never seeded); to apply the file's values, change them through the admin API"
                    + " (PUT /v1/groups/{group}, PUT /v1/hosts/{host}) or passerelle ctl. Differences:\n  {}",
                    String.join("\n  ", differences));
        }
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.error("store synchronisation failed", e);
        }
    }

    private void tick() {
        synchronized (pollLock) {
            Store s = store;
            if (s == null) {
                tryOpen();
                return;
            }
            try {
                poll(s);
            } catch (StoreException e) {
                unreachable(e);
            }
        }
    }

    /** Polls now (on the sync thread); the future completes when the poll is done. */
    public CompletableFuture<Void> reloadNow() {
        return CompletableFuture.runAsync(this::tickSafely, poller);
    }

    private void unreachable(StoreException e) {
        if (reachable || lastError == null || "not started".equals(lastError)) {
            RoutingState current = table.current();
            log.warn("store unreachable: {}; keeping table version {} (the lease, {}, covers a blip shorter than it)",
                    e.getMessage(), current == null ? "(none yet)" : current.version(), leaseDuration);
        }
        reachable = false;
        lastError = e.getMessage();
    }

    public boolean storeReachable() {
        return reachable;
    }

    /** Why the store is not reachable, or null when it is. */
    public String storeError() {
        return reachable ? null : lastError;
    }

    /** Whether this gateway holds its lease: the admin API waits for it, and it enforces the table as it is. */
    public boolean leaseHeld() {
        return lease.held();
    }

    /** How long this gateway has not held its lease; zero while it does. */
    public Duration leaseLostFor() {
        return lease.lostFor();
    }

    /** Whether the read-only fail-safe is in force. */
    public boolean failSafe() {
        return table.failSafe();
    }

    /** The version of the table in force (0 for the seed alone). */
    public long appliedVersion() {
        RoutingState s = table.current();
        return s == null ? -1 : s.version();
    }

    /** The open store, or null while it could not be opened. */
    public Store store() {
        return store;
    }

    public String gatewayId() {
        return gatewayId;
    }

    @Override
    public void close() {
        if (pollTask != null) {
            pollTask.cancel(false);
        }
        poller.shutdown();
        timers.shutdownNow();
        try {
            poller.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lease.release();
        Store s = store;
        store = null;
        if (s != null) {
            try {
                s.releaseLease(gatewayId);
            } catch (StoreException e) {
                log.warn("could not release this gateway's lease ({}); the fleet stops waiting for it when it ends",
                        e.getMessage());
            }
            s.close();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static java.util.concurrent.ThreadFactory named(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + (n.incrementAndGet() == 1 ? "" : "-" + n.get()));
            t.setDaemon(true);
            return t;
        };
    }
}
