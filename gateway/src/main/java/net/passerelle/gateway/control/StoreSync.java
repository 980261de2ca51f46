package net.passerelle.gateway.control;

import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.HostMapping;
import net.passerelle.admin.model.RoutingState;
import net.passerelle.admin.store.Store;
import net.passerelle.admin.store.StoreException;
import net.passerelle.gateway.routing.RoutingTable;
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
 * Keeps a gateway's in-memory routing table in step with the store, off the request path.
 *
 * <ul>
 *   <li>Start: opens the store, writes the seed (idempotent), loads and applies the table. When the store cannot be
 *       opened, applies the local snapshot (or, without one, the seed alone) and keeps trying to open the store.</li>
 *   <li>Every {@code pollInterval}: reads the store's version, reloads and applies the table when it changed, writes
 *       the snapshot, and heartbeats {@code (gatewayId, appliedVersion, info)}. A failing store is reported
 *       ({@link #storeReachable()}) and the last table stays in force.</li>
 *   <li>Windows: the table is rebuilt at each window's start and end (a timer set to the next boundary), from the
 *       state already in memory, so windows take effect on time even while the store is away.</li>
 *   <li>{@link #reloadNow()}: an admin call in the same process asks for an immediate poll.</li>
 * </ul>
 *
 * Store I/O runs on the {@code passerelle-store-sync} thread; window rebuilds on a second thread, so a slow store
 * never delays a window. Applying a table is serialised by one lock.
 */
public final class StoreSync implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StoreSync.class);
    private static final Duration MAX_REOPEN_BACKOFF = Duration.ofSeconds(5);

    /** Opens the store; throws {@link StoreException} when it is unreachable. */
    @FunctionalInterface
    public interface StoreOpener {
        Store open();
    }

    private final StoreOpener opener;
    private final RoutingTableHolder holder;
    private final SnapshotFile snapshot;
    private final List<Group> seedGroups;
    private final List<HostMapping> seedHosts;
    private final String gatewayId;
    private final Duration pollInterval;
    private final Clock clock;
    private final Supplier<String> info;
    private final ScheduledExecutorService poller;
    private final ScheduledExecutorService windows;
    private final Object applyLock = new Object();
    private final Object pollLock = new Object();

    private volatile Store store;
    private volatile boolean reachable;
    private volatile String lastError = "not started";
    private volatile RoutingState current;
    private volatile boolean seeded;
    private Instant nextOpenAttempt = Instant.MIN;
    private Duration reopenBackoff = Duration.ofMillis(250);
    private ScheduledFuture<?> boundaryTimer;
    private ScheduledFuture<?> pollTask;

    public StoreSync(StoreOpener opener, RoutingTableHolder holder, SnapshotFile snapshot, List<Group> seedGroups,
                     List<HostMapping> seedHosts, String gatewayId, Duration pollInterval, Clock clock, Supplier<String> info) {
        this.opener = Objects.requireNonNull(opener);
        this.holder = Objects.requireNonNull(holder);
        this.snapshot = Objects.requireNonNull(snapshot);
        this.seedGroups = List.copyOf(seedGroups);
        this.seedHosts = List.copyOf(seedHosts);
        this.gatewayId = Objects.requireNonNull(gatewayId);
        this.pollInterval = Objects.requireNonNull(pollInterval);
        this.clock = Objects.requireNonNull(clock);
        this.info = info == null ? () -> null : info;
        this.poller = Executors.newSingleThreadScheduledExecutor(named("passerelle-store-sync"));
        this.windows = Executors.newSingleThreadScheduledExecutor(named("passerelle-windows"));
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
        if (tryOpen() && current != null) {
            return;
        }
        RoutingState fallback;
        try {
            Optional<RoutingState> fromFile = snapshot.read();
            if (fromFile.isPresent()) {
                fallback = fromFile.get();
                log.warn("store unreachable ({}): routing from the snapshot {} (version {})", lastError, snapshot.path(),
                        fallback.version());
            } else {
                fallback = new RoutingState(0, seedGroups, seedHosts);
                log.warn("store unreachable ({}) and no snapshot at {}: routing from the configuration's seed", lastError,
                        snapshot.path());
            }
        } catch (IOException e) {
            fallback = new RoutingState(0, seedGroups, seedHosts);
            log.error("store unreachable ({}) and {}: routing from the configuration's seed", lastError, e.getMessage());
        }
        apply(fallback, false);
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
        RoutingState applied = current;
        long version = s.version();
        if (applied == null || version != applied.version() || !fromStore) {
            RoutingState state = s.load();
            apply(state, true);
        }
        s.heartbeat(gatewayId, current.version(), info.get());
        if (!reachable) {
            log.info("store reachable, table version {} applied", current.version());
        }
        reachable = true;
        lastError = null;
    }

    private volatile boolean fromStore;

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
            log.warn("store unreachable: {}; keeping table version {}", e.getMessage(),
                    current == null ? "(none yet)" : current.version());
        }
        reachable = false;
        lastError = e.getMessage();
    }

    private void apply(RoutingState state, boolean fromTheStore) {
        synchronized (applyLock) {
            Instant now = clock.instant();
            RoutingTable table = RoutingTables.fromState(state, now);
            RoutingState previous = current;
            holder.swap(table);
            current = state;
            fromStore = fromTheStore;
            scheduleBoundary(RoutingTables.nextBoundary(state, now), now);
            if (previous == null || previous.version() != state.version()) {
                log.info("routing table version {} applied: {} groups, {} hosts", state.version(), state.groups().size(),
                        state.hosts().size());
            }
            if (fromTheStore && (previous == null || previous.version() != state.version())) {
                try {
                    snapshot.write(state);
                } catch (IOException e) {
                    log.error("cannot write the routing snapshot {}: {}", snapshot.path(), e.toString());
                }
            }
        }
    }

    private void scheduleBoundary(Instant boundary, Instant now) {
        if (boundaryTimer != null) {
            boundaryTimer.cancel(false);
            boundaryTimer = null;
        }
        if (boundary == null || windows.isShutdown()) {
            return;
        }
        long delay = Math.max(0, Duration.between(now, boundary).toMillis() + 1);
        boundaryTimer = windows.schedule(this::windowBoundary, delay, TimeUnit.MILLISECONDS);
    }

    private void windowBoundary() {
        try {
            synchronized (applyLock) {
                RoutingState state = current;
                if (state != null) {
                    Instant now = clock.instant();
                    holder.swap(RoutingTables.fromState(state, now));
                    log.info("window boundary: table version {} rebuilt for {}", state.version(), now);
                    Instant next = RoutingTables.nextBoundary(state, now);
                    scheduleBoundary(next, now);
                }
            }
        } catch (RuntimeException e) {
            log.error("window boundary rebuild failed", e);
        }
    }

    public boolean storeReachable() {
        return reachable;
    }

    /** Why the store is not reachable, or null when it is. */
    public String storeError() {
        return reachable ? null : lastError;
    }

    /** The version of the table in force (0 for the seed alone). */
    public long appliedVersion() {
        RoutingState s = current;
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
        windows.shutdownNow();
        try {
            poller.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Store s = store;
        store = null;
        if (s != null) {
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
