package net.passerelle.admin.api;

import net.passerelle.admin.model.GatewayStatus;
import net.passerelle.admin.store.Store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Waits until every live gateway of the fleet reports that it has applied a table version, without blocking any
 * thread while it waits: it re-reads the gateways' heartbeats on a scheduler every {@code checkInterval} until all
 * live ones have applied the version or {@code timeout} passes.
 *
 * <p>A gateway is live as {@link Liveness} says: its last heartbeat is at most {@code liveTtl} old (the same object
 * answers {@code GET /v1/gateways}, see {@link #liveness()}). Before it starts
 * waiting, the confirmer calls its {@code nudge}: a gateway in the same process reloads at once instead of at its
 * next poll.
 */
public final class FleetConfirmer implements AutoCloseable {

    /** The answer of a wait: who has applied {@code version}, among the live gateways. */
    public record Confirmation(long version, int applied, int gateways, List<String> laggards, boolean complete) {
    }

    private final Supplier<Store> store;
    private final Duration timeout;
    private final Liveness liveness;
    private final Duration checkInterval;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private volatile Runnable nudge = () -> { };

    public FleetConfirmer(Supplier<Store> store, Duration timeout, Duration liveTtl) {
        this(store, timeout, liveTtl, Duration.ofMillis(20), Clock.systemUTC());
    }

    public FleetConfirmer(Supplier<Store> store, Duration timeout, Duration liveTtl, Duration checkInterval, Clock clock) {
        this.store = Objects.requireNonNull(store);
        this.timeout = Objects.requireNonNull(timeout);
        this.liveness = new Liveness(liveTtl, clock);
        this.checkInterval = Objects.requireNonNull(checkInterval);
        this.clock = Objects.requireNonNull(clock);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "passerelle-fleet-confirm");
            t.setDaemon(true);
            return t;
        });
    }

    /** Called before each wait: ask the gateway in this process (if any) to reload now. */
    public void setNudge(Runnable nudge) {
        this.nudge = Objects.requireNonNull(nudge);
    }

    public Duration timeout() {
        return timeout;
    }

    /** Who counts as live: whom {@link #await} waits for. */
    public Liveness liveness() {
        return liveness;
    }

    /** Completes when every live gateway has applied {@code version}, or at the timeout with the laggards named. */
    public CompletableFuture<Confirmation> await(long version) {
        try {
            nudge.run();
        } catch (RuntimeException e) {
            // The nudge only speeds things up; the poll gets there anyway.
        }
        CompletableFuture<Confirmation> result = new CompletableFuture<>();
        Instant deadline = clock.instant().plus(timeout);
        scheduler.execute(() -> check(version, deadline, result));
        return result;
    }

    /** The gateways' state now, for {@code version}. */
    public Confirmation status(long version) {
        Instant now = liveness.now();
        int applied = 0;
        int live = 0;
        List<String> laggards = new ArrayList<>();
        for (GatewayStatus g : store.get().gateways()) {
            if (!liveness.isLive(g, now)) {
                continue;
            }
            live++;
            if (g.hasApplied(version)) {
                applied++;
            } else {
                laggards.add(g.gatewayId());
            }
        }
        return new Confirmation(version, applied, live, List.copyOf(laggards), laggards.isEmpty());
    }

    private void check(long version, Instant deadline, CompletableFuture<Confirmation> result) {
        Confirmation c;
        try {
            c = status(version);
        } catch (RuntimeException e) {
            if (clock.instant().isAfter(deadline)) {
                result.completeExceptionally(e);
                return;
            }
            scheduler.schedule(() -> check(version, deadline, result), checkInterval.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        if (c.complete() || !clock.instant().isBefore(deadline)) {
            result.complete(c);
            return;
        }
        scheduler.schedule(() -> check(version, deadline, result), checkInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
