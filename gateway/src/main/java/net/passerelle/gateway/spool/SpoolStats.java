package net.passerelle.gateway.spool;

import java.time.Instant;

/**
 * A group's queue in three numbers, for metrics a pager can use.
 *
 * @param depth         entries waiting for replay (pending or being replayed)
 * @param bytes         bytes of the group's entry files on disk (waiting, failed-final and set-aside)
 * @param oldestArrival arrival of the oldest waiting entry, null when none waits
 */
public record SpoolStats(String group, int depth, long bytes, Instant oldestArrival) {

    /** Depth, bytes and oldest arrival of one group, without copying its entries (for metrics). */
    public static SpoolStats of(Spool spool, String group) {
        GroupSpool g = spool.group(group);
        return g == null ? new SpoolStats(group, 0, 0, null) : of(g);
    }

    static SpoolStats of(GroupSpool g) {
        synchronized (g) {
            int depth = 0;
            long bytes = 0;
            Instant oldest = null;
            for (Tracked t : g.bySeq.values()) {
                if (t.file != null) {
                    bytes += t.size;
                }
                if (t.status.awaitsReplay()) {
                    depth++;
                    if (oldest == null || t.arrival.isBefore(oldest)) {
                        oldest = t.arrival;
                    }
                }
            }
            return new SpoolStats(g.name, depth, bytes, oldest);
        }
    }
}
