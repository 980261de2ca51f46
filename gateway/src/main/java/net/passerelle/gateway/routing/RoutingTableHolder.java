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

    public RoutingTableHolder(RoutingTable initial) {
        this.current = new AtomicReference<>(Objects.requireNonNull(initial));
    }

    public RoutingTable get() {
        return current.get();
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
