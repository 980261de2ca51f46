package net.passerelle.gateway.routing;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Holds the current routing snapshot. The request path reads it once per request (one volatile read); whoever
 * learns of a change (seed, store poller, admin call in the same process) swaps in a whole new table.
 */
public final class RoutingTableHolder {
    private final AtomicReference<RoutingTable> current;
    private volatile Consumer<RoutingTable> listener = t -> { };
    private volatile Guard guard;

    /** What to route with once {@code deadlineNanos} (System.nanoTime) has passed, whatever was swapped in. */
    private record Guard(RoutingTable fallback, long deadlineNanos) {
    }

    public RoutingTableHolder(RoutingTable initial) {
        this.current = new AtomicReference<>(Objects.requireNonNull(initial));
    }

    /**
     * The table to route with. Past the guard's deadline (a lease this gateway could not renew in time) it is the
     * guard's fallback, checked here on every request: a gateway frozen past its lease and thawed routes with its
     * fail-safe from its first request, before any timer of its own has run.
     */
    public RoutingTable get() {
        Guard g = guard;
        if (g != null && System.nanoTime() - g.deadlineNanos > 0) {
            return g.fallback;
        }
        return current.get();
    }

    /** Past {@code deadlineNanos}, {@link #get()} answers {@code fallback}; {@code fallback} null lifts the guard. */
    public void guard(RoutingTable fallback, long deadlineNanos) {
        guard = fallback == null ? null : new Guard(fallback, deadlineNanos);
    }

    /** Moves the guard's deadline (a renewed lease), keeping its fallback. */
    public void extendGuard(long deadlineNanos) {
        Guard g = guard;
        if (g != null) {
            guard = new Guard(g.fallback, deadlineNanos);
        }
    }

    public void swap(RoutingTable next) {
        current.set(Objects.requireNonNull(next));
        listener.accept(next);
    }

    /** Called after each swap, on the swapping thread (for metrics and upstream pool clean-up). */
    public void onSwap(Consumer<RoutingTable> newListener) {
        this.listener = Objects.requireNonNull(newListener);
    }
}
