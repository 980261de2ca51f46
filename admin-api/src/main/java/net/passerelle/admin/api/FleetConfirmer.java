package net.passerelle.admin.api;

import net.passerelle.admin.model.FleetView;
import net.passerelle.admin.model.GatewayStatus;
import net.passerelle.admin.store.Store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Waits until every gateway that was live when a change was written has confirmed its table version, without
 * blocking any thread while it waits: it re-reads the fleet on a scheduler every {@code checkInterval}.
 *
 * <h2>Who is waited for</h2>
 * Every gateway {@link Liveness live} when the change was written: one whose lease was valid then (by the store's
 * clock), or, older than leases, whose heartbeat was younger than the TTL. The set is taken at the first reading of
 * the fleet after the write, counting back to the write ({@value #WRITE_MARGIN_MS} ms more, for the time between
 * the commit and this call): so a gateway whose lease ended just before the change is named rather than missed.
 * A gateway that joins later loads the whole table, this change included, before it holds a lease.
 *
 * <p>And every gateway already {@link Liveness.State#LOST lost} at the write: its lease ended without being released
 * (killed, frozen, cut off from the store). It is not waited for, but named {@code lost} in the answer, which is then
 * a {@code 202}: a partitioned gateway keeps serving its last table under its fail-safe, and the store cannot tell it
 * from a dead one, so "applied everywhere" would be a lie. It stays named until it heartbeats again, or ops forget it
 * ({@code DELETE /v1/gateways/{id}}), or it has been silent for the store's forgetting period. A gateway that stopped
 * cleanly released its lease and is never named.
 *
 * <h2>The answer</h2>
 * Each gateway waited for ends as {@code applied} (it reported the version), {@code lost} (its lease ended, or it
 * stopped, without reporting it: a lost gateway enforces its fail-safe, see {@code store.onLeaseLost}) or, at the
 * timeout, {@code lagging} (its lease is valid and it has not applied the version). The wait ends as soon as no
 * gateway is lagging, or at the timeout. No gateway waited for is ever left out of the answer.
 *
 * <p>Before it starts waiting, the confirmer calls its {@code nudge}: a gateway in the same process reloads at once.
 */
public final class FleetConfirmer implements AutoCloseable {
    static final long WRITE_MARGIN_MS = 1000;

    /** The answer of a wait: who has applied {@code version}, among the gateways waited for. */
    public record Confirmation(long version, int applied, int gateways, List<String> lagging, List<String> lost,
                               boolean complete) {
        public Confirmation {
            lagging = List.copyOf(lagging);
            lost = List.copyOf(lost);
        }

        /** Every gateway waited for that did not confirm: the lagging ones, then the lost ones. */
        public List<String> laggards() {
            List<String> all = new ArrayList<>(lagging);
            all.addAll(lost);
            return List.copyOf(all);
        }
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

    /** @param liveTtl how old a heartbeat may be for a gateway without a lease to be live ({@code admin.gatewayTtl}) */
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

    /**
     * Completes when every gateway live at the write has applied {@code version} or is lost, or at the timeout with
     * the lagging ones named. Call it right after the change is written.
     */
    public CompletableFuture<Confirmation> await(long version) {
        long calledAt = System.nanoTime();
        try {
            nudge.run();
        } catch (RuntimeException e) {
            // The nudge only speeds things up; the poll gets there anyway.
        }
        CompletableFuture<Confirmation> result = new CompletableFuture<>();
        Instant deadline = clock.instant().plus(timeout);
        Wait wait = new Wait(version, calledAt, deadline, result);
        scheduler.execute(() -> check(wait));
        return result;
    }

    /** The live gateways now, and who of them has applied {@code version} (a snapshot; nothing is waited for). */
    public Confirmation status(long version) {
        FleetView view = store.get().fleet();
        Set<String> live = new LinkedHashSet<>();
        for (GatewayStatus g : view.gateways()) {
            if (liveness.isLive(g, view)) {
                live.add(g.gatewayId());
            }
        }
        return judge(version, live, view);
    }

    /** One wait: the gateways it waits for are fixed at its first reading of the fleet. */
    private static final class Wait {
        final long version;
        final long calledAtNanos;
        final Instant deadline;
        final CompletableFuture<Confirmation> result;
        Set<String> waitedFor;

        Wait(long version, long calledAtNanos, Instant deadline, CompletableFuture<Confirmation> result) {
            this.version = version;
            this.calledAtNanos = calledAtNanos;
            this.deadline = deadline;
            this.result = result;
        }
    }

    private void check(Wait wait) {
        Confirmation c;
        try {
            FleetView view = store.get().fleet();
            if (wait.waitedFor == null) {
                wait.waitedFor = liveAtTheWrite(view, wait.calledAtNanos);
            }
            c = judge(wait.version, wait.waitedFor, view);
        } catch (RuntimeException e) {
            if (clock.instant().isAfter(wait.deadline)) {
                wait.result.completeExceptionally(e);
                return;
            }
            again(wait);
            return;
        }
        if (c.lagging().isEmpty() || !clock.instant().isBefore(wait.deadline)) {
            wait.result.complete(c);
            return;
        }
        again(wait);
    }

    private void again(Wait wait) {
        scheduler.schedule(() -> check(wait), checkInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The gateways live when the change was written (back from this reading to the call, and a margin more), and
     * those already lost then, to be named.
     */
    private Set<String> liveAtTheWrite(FleetView view, long calledAtNanos) {
        long sinceCall = Math.max(0, System.nanoTime() - calledAtNanos) / 1_000_000;
        Instant written = view.storeNow().minusMillis(sinceCall + WRITE_MARGIN_MS);
        Instant localWritten = liveness.now().minusMillis(sinceCall + WRITE_MARGIN_MS);
        Set<String> live = new LinkedHashSet<>();
        for (GatewayStatus g : view.gateways()) {
            if (liveness.isLive(g, written, localWritten) || g.leased() && !g.released()) {
                live.add(g.gatewayId());
            }
        }
        return live;
    }

    private Confirmation judge(long version, Set<String> waitedFor, FleetView view) {
        int applied = 0;
        List<String> lagging = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        for (String id : waitedFor) {
            GatewayStatus g = view.gateways().stream().filter(x -> x.gatewayId().equals(id)).findFirst().orElse(null);
            if (g != null && g.hasApplied(version)) {
                applied++;
            } else if (g != null && liveness.isLive(g, view)) {
                lagging.add(id);
            } else {
                lost.add(id); // its lease ended, it stopped, or it was forgotten
            }
        }
        return new Confirmation(version, applied, waitedFor.size(), lagging, lost, applied == waitedFor.size());
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
