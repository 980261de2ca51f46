package net.passerelle.gateway.origin;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * How many requests each backend has been sent and has not answered yet, for one event loop, with a fair waiting
 * line for the rest ({@code upstream.maxPendingPerBackend}). Confined to the loop's thread, like its pool.
 *
 * <p>Why a line at all: a burst of new client connections (the slow-read attack's 2,400) would otherwise open as
 * many backend connections at once. They fill the backend's accept queue (511 deep on nginx and Apache), the
 * backend works through it in order, and every later request, a legitimate visitor's included, waits behind them,
 * or has its SYN dropped and retried a second later. Waiting here costs the backend nothing, and the line is served
 * round-robin by client address, so one address's thousand requests do not stand in front of another's one.
 *
 * <p>A slot is held from the moment a request may be sent until its response head arrives or the exchange ends: a
 * long download does not hold one, so the limit bounds the backend's queue of unanswered work, not its transfers.
 */
public final class BackendSlots {
    /** Someone waiting for a slot; {@link #granted()} runs on the loop, with the slot already theirs. */
    public interface Waiter {
        void granted();
    }

    private final IntSupplier limit;
    private final Map<InetSocketAddress, Line> lines = new HashMap<>();
    /** Written on the loop only; volatile so that a metrics scrape on another thread sees a recent value. */
    private volatile int waiting;

    /** @param limit slots per backend on this loop, read at each decision (a reload changes it) */
    public BackendSlots(IntSupplier limit) {
        this.limit = limit;
    }

    /** Takes a slot if one is free and nobody is waiting for it (a newcomer never overtakes the line). */
    public boolean tryAcquire(InetSocketAddress backend) {
        Line line = lines.get(backend);
        if (line == null) {
            // Kept once made (a backend's line costs a few dozen bytes): forgetting it whenever the backend is idle
            // would allocate on every request of a quiet gateway.
            line = new Line();
            lines.put(backend, line);
        }
        if (line.busy < limit.getAsInt() && line.byClient.isEmpty()) {
            line.busy++;
            return true;
        }
        return false;
    }

    /** Joins the line for {@code backend}, behind the earlier requests of the same client only. */
    public void await(InetSocketAddress backend, Object client, Waiter waiter) {
        Line line = lines.computeIfAbsent(backend, b -> new Line());
        line.byClient.computeIfAbsent(client, c -> new ArrayDeque<>(4)).addLast(waiter);
        waiting++;
    }

    /** Leaves the line (the exchange ended while it waited); false when it was not in it. */
    public boolean cancel(InetSocketAddress backend, Object client, Waiter waiter) {
        Line line = lines.get(backend);
        ArrayDeque<Waiter> mine = line == null ? null : line.byClient.get(client);
        if (mine == null || !mine.removeFirstOccurrence(waiter)) {
            return false;
        }
        waiting--;
        if (mine.isEmpty()) {
            line.byClient.remove(client);
        }
        return true;
    }

    /**
     * Gives a slot back: to the next client in turn when someone waits, else it is free again. A slot over the limit
     * (a reload lowered it) is retired instead of passed on; a raised limit is felt as the line empties.
     */
    public void release(InetSocketAddress backend) {
        Line line = lines.get(backend);
        if (line == null) {
            return;
        }
        if (line.byClient.isEmpty() || line.busy > limit.getAsInt()) {
            line.busy = Math.max(0, line.busy - 1);
            return;
        }
        Waiter next = line.next();
        waiting--;
        next.granted();
    }

    /** Requests waiting on this loop, over all backends (a gauge). */
    public int waiting() {
        return waiting;
    }

    /** Requests sent to {@code backend} from this loop and not answered yet. */
    public int busy(InetSocketAddress backend) {
        Line line = lines.get(backend);
        return line == null ? 0 : line.busy;
    }

    private static final class Line {
        int busy;
        /** In turn order: the client served next is first; a client that was served goes to the back. */
        final LinkedHashMap<Object, ArrayDeque<Waiter>> byClient = new LinkedHashMap<>();

        Waiter next() {
            Iterator<Map.Entry<Object, ArrayDeque<Waiter>>> it = byClient.entrySet().iterator();
            Map.Entry<Object, ArrayDeque<Waiter>> first = it.next();
            ArrayDeque<Waiter> queue = first.getValue();
            Waiter w = queue.pollFirst();
            it.remove();
            if (!queue.isEmpty()) {
                byClient.put(first.getKey(), queue);
            }
            return w;
        }
    }
}
