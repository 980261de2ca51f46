package net.passerelle.gateway.health;

import net.passerelle.gateway.routing.Backend;
import net.passerelle.gateway.routing.GroupRoute;

import java.util.List;

/**
 * Picks the backend of a request, with failover to spares. On the request path: no allocation, no lock; one atomic
 * increment of the group's cursor and a few volatile reads.
 * <ol>
 *   <li>Round robin over the group's available backends (up and {@code ready}).</li>
 *   <li>When none is, round robin over its available spares.</li>
 *   <li>When nothing is available, the first backend (then the first spare) that ops have not taken out
 *       ({@code drain}/{@code maint}): the request then fails against the real server and the visitor gets an honest
 *       {@code 502}/{@code 504} notice, rather than the gateway guessing that some check was wrong.</li>
 *   <li>{@code null} when every backend and spare is in {@code drain} or {@code maint} (the proxy answers 502).</li>
 * </ol>
 * The group returns home as soon as one of its backends is available again: nothing is sticky.
 *
 * <p>Round robin skips unavailable entries by scanning forward from the cursor, so while one backend of several is
 * down the next one gets its share too; with a handful of backends per group that is good enough.
 *
 * <p>{@link #select(GroupRoute, BackendHealth, List)} is the same choice among the backends an exchange has not tried
 * yet: when a connection cannot be opened nothing of the request was sent, so the proxy asks again rather than
 * answering 502 while checks have not yet noticed the backend is gone (a failover's first seconds).
 */
public final class BackendSelector {
    private BackendSelector() {
    }

    public static Backend select(GroupRoute group, BackendHealth health) {
        return select(group, health, List.of());
    }

    /**
     * The same choice, never one of {@code skip}; {@code null} when nothing else may be used. A non-empty
     * {@code skip} is a retry: it takes the next in turn without moving the group's cursor, because moving it again
     * would shift everyone's rotation (with two backends, every request would meet the dead one first).
     *
     * @param skip the backends and spares already tried (a short list: compared by {@code equals}, one by one)
     */
    public static Backend select(GroupRoute group, BackendHealth health, List<Backend> skip) {
        List<Backend> backends = group.backends();
        List<Backend> spares = group.spares();
        if (backends.size() + spares.size() == 0) {
            return null;
        }
        int tick = skip.isEmpty() ? group.cursor().getAndIncrement() : group.cursor().get();
        Backend b = roundRobin(backends, tick, health, skip);
        if (b != null) {
            return b;
        }
        b = roundRobin(spares, tick, health, skip);
        if (b != null) {
            return b;
        }
        b = firstResort(backends, health, skip);
        return b != null ? b : firstResort(spares, health, skip);
    }

    private static Backend roundRobin(List<Backend> list, int tick, BackendHealth health, List<Backend> skip) {
        int n = list.size();
        if (n == 0) {
            return null;
        }
        int start = Math.floorMod(tick, n);
        for (int i = 0; i < n; i++) {
            int index = start + i;
            Backend b = list.get(index >= n ? index - n : index);
            if (health.available(b) && !skip.contains(b)) {
                return b;
            }
        }
        return null;
    }

    private static Backend firstResort(List<Backend> list, BackendHealth health, List<Backend> skip) {
        for (int i = 0, n = list.size(); i < n; i++) {
            Backend b = list.get(i);
            if (health.lastResort(b) && !skip.contains(b)) {
                return b;
            }
        }
        return null;
    }
}
