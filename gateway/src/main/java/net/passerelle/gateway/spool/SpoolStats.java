package net.passerelle.gateway.spool;

import java.time.Instant;

/**
 * A group's queue in four numbers, for metrics a pager can use.
 *
 * @param depth         entries waiting for replay (pending or being replayed)
 * @param bytes         bytes of the group's entry files on disk (waiting, failed-final and set-aside)
 * @param oldestArrival arrival of the oldest waiting entry, null when none waits
 * @param failedFinal   entries failed for good (refused, out of attempts, in doubt): kept until ops requeue or
 *                      discard them, and not counted in {@code depth}
 */
public record SpoolStats(String group, int depth, long bytes, Instant oldestArrival, int failedFinal) {

    /** Depth, bytes and oldest arrival of one group, without copying its entries (for metrics). */
    public static SpoolStats of(Spool spool, String group) {
        GroupSpool g = spool.group(group);
        return g == null ? new SpoolStats(group, 0, 0, null, 0) : of(g);
    }

    static SpoolStats of(GroupSpool g) {
        synchronized (g) {
            int depth = 0;
            int failedFinal = 0;
            long bytes = 0;
            Instant oldest = null;
            for (Tracked t : g.bySeq.values()) {
                if (t.file != null) {
                    bytes += t.size;
                }
                if (t.status == EntryStatus.FAILED_FINAL) {
                    failedFinal++;
                }
                if (t.status.awaitsReplay()) {
                    depth++;
                    if (oldest == null || t.arrival.isBefore(oldest)) {
                        oldest = t.arrival;
                    }
                }
            }
            return new SpoolStats(g.name, depth, bytes, oldest, failedFinal);
        }
    }
}
