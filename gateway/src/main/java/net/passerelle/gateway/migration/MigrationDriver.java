package net.passerelle.gateway.migration;

import net.passerelle.admin.model.Migration;
import net.passerelle.admin.model.MigrationState;
import net.passerelle.admin.store.MigrationStore;
import net.passerelle.admin.store.StoreException;
import net.passerelle.gateway.metrics.MigrationMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Drives the fleet's migrations from this admin process. Every {@code pollInterval} it reads the unfinished
 * migrations, claims (or renews) the lock of each in the store, and runs a bout of {@link MigrationSteps} for each
 * one it holds and is not already working on: the bout takes the migration as far as it can go now, then ends (a
 * step that waits, for ops or for the fleet, is looked at again at the next poll). Locks are renewed at every poll,
 * bouts in flight included, so a lock lapses only when this process stops polling: then, {@code lockTtl} later by
 * the store's clock, another admin process takes the migration over where the store says it is.
 *
 * <p>Threads: one scheduler for the polls and two workers for the bouts, which may block on the store, on a
 * verification and on the fleet's confirmation. One bout per migration at a time in this process.
 */
public final class MigrationDriver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MigrationDriver.class);

    private final Supplier<MigrationStore> store;
    private final MigrationSteps steps;
    private final Duration pollInterval;
    private final Duration lockTtl;
    private final Clock clock;
    private final MigrationMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService workers;
    private final Map<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    private final Map<String, List<Consumer<Migration>>> watchers = new ConcurrentHashMap<>();

    public MigrationDriver(Supplier<MigrationStore> store, MigrationSteps steps, Duration pollInterval, Duration lockTtl,
                           Clock clock, MigrationMetrics metrics) {
        this.store = store;
        this.steps = steps;
        this.pollInterval = pollInterval;
        this.lockTtl = lockTtl;
        this.clock = clock;
        this.metrics = metrics;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(named("passerelle-migrations"));
        this.workers = Executors.newFixedThreadPool(2, named("passerelle-migration-step"));
    }

    public MigrationDriver start() {
        scheduler.scheduleWithFixedDelay(this::pollSafely, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** The lock owner this driver writes. */
    public String owner() {
        return steps.owner();
    }

    public Duration lockTtl() {
        return lockTtl;
    }

    /**
     * Hears every state of migration {@code id} this driver reads between its own steps (event streams). Returns
     * what stops it.
     */
    public Runnable watch(String id, Consumer<Migration> watcher) {
        watchers.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(watcher);
        return () -> watchers.computeIfPresent(id, (k, list) -> {
            list.remove(watcher);
            return list.isEmpty() ? null : list;
        });
    }

    /** Polls now rather than at the next interval (a migration was created or continued). */
    public void wake() {
        scheduler.execute(this::pollSafely);
    }

    /**
     * Runs a bout of {@code id} now if this driver can hold its lock; completes when the bout ends (at once when the
     * lock is someone else's, or the migration is finished).
     */
    public CompletableFuture<Void> drive(String id) {
        try {
            if (!store.get().claim(id, owner(), lockTtl)) {
                return CompletableFuture.completedFuture(null);
            }
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        return bout(id);
    }

    private void pollSafely() {
        try {
            poll();
        } catch (StoreException e) {
            log.debug("migrations: store unavailable, trying again at the next poll: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.error("migrations: poll failed", e);
        }
    }

    private void poll() {
        MigrationStore s = store.get();
        List<Migration> active = s.active();
        for (Migration m : active) {
            if (s.claim(m.id(), owner(), lockTtl)) {
                bout(m.id());
            }
        }
        if (metrics != null) {
            Map<String, Integer> counts = new HashMap<>();
            s.countByState().forEach((state, n) -> counts.put(state.wireName(), n));
            metrics.states(counts);
            Map<String, Long> readOnly = new HashMap<>();
            for (Migration m : active) {
                if (m.state().groupReadOnly() && m.readOnlySince() != null) {
                    readOnly.put(m.group(), Math.max(0, Duration.between(m.readOnlySince(), clock.instant()).toSeconds()));
                }
            }
            metrics.readOnly(readOnly);
        }
    }

    /** The bout of {@code id} running now, or a completed future: lets a test wait for a bout's end, not a time. */
    CompletableFuture<Void> running(String id) {
        return inFlight.getOrDefault(id, CompletableFuture.completedFuture(null));
    }

    /** Starts a bout unless one is running (then its future). */
    private CompletableFuture<Void> bout(String id) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> running = inFlight.putIfAbsent(id, mine);
        if (running != null) {
            return running;
        }
        try {
            workers.execute(() -> {
                try {
                    runBout(id);
                } catch (RuntimeException e) {
                    log.warn("migration {}: step failed, tried again at the next poll: {}", id, e.toString());
                } finally {
                    inFlight.remove(id, mine);
                    mine.complete(null);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            inFlight.remove(id, mine);
            mine.complete(null);
        }
        return mine;
    }

    private void runBout(String id) {
        for (int i = 0; i < MigrationState.values().length + 2; i++) {
            Migration m = store.get().find(id).orElse(null);
            if (m != null) {
                tell(m); // what ops or the previous step just did; streams drop what they have already sent
            }
            if (m == null || !m.active() || !owner().equals(m.lockOwner())) {
                return;
            }
            if (!steps.advance(m)) {
                return;
            }
        }
    }

    private void tell(Migration m) {
        for (Consumer<Migration> w : watchers.getOrDefault(m.id(), List.of())) {
            try {
                w.accept(m);
            } catch (RuntimeException e) {
                log.debug("migration {}: a watcher failed: {}", m.id(), e.toString());
            }
        }
    }

    /**
     * Stops dead, as a process killed with {@code kill -9} would: no more polls, bouts interrupted, and the locks it
     * holds left to lapse. For the tests of resumption.
     */
    void halt() {
        scheduler.shutdownNow();
        workers.shutdownNow();
    }

    /** Stops polling and gives up the locks this process holds, so that another admin process resumes at once. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        workers.shutdown();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        try {
            for (Migration m : store.get().active()) {
                if (owner().equals(m.lockOwner())) {
                    store.get().release(m.id(), owner());
                }
            }
        } catch (RuntimeException e) {
            log.info("migrations: locks not released ({}); they lapse after {}", e.getMessage(), lockTtl);
        }
    }

    private static java.util.concurrent.ThreadFactory named(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
