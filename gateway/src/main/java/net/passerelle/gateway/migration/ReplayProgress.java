package net.passerelle.gateway.migration;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How far the replay of a migrating group's queued writes has got.
 *
 * @param waiting     entries of this gateway's spool still waiting for delivery
 * @param delivered   entries of this gateway's spool queued since the group became read-only and delivered
 * @param failedFinal those refused for good (kept for ops, never retried by themselves)
 * @param elsewhere   waiting entries the other live gateways publish in their heartbeats, by gateway id
 */
public record ReplayProgress(int waiting, int delivered, int failedFinal, Map<String, Integer> elsewhere) {
    public ReplayProgress {
        elsewhere = Map.copyOf(elsewhere);
    }

    /** Entries still waiting anywhere in the fleet, as far as this gateway knows. */
    public int waitingInFleet() {
        return waiting + elsewhere.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The outcomes as the migration's {@code spool} document. */
    public Map<String, Object> document() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("waiting", waiting);
        d.put("delivered", delivered);
        d.put("failedFinal", failedFinal);
        d.put("waitingElsewhere", new java.util.TreeMap<>(elsewhere));
        return d;
    }
}
