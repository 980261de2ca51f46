package net.passerelle.gateway.spool;

import java.time.Instant;
import java.util.List;

/**
 * What {@code GET /v1/groups/{g}/spool} shows.
 *
 * @param waiting        entries pending or being replayed
 * @param bytes          bytes of the group's files on disk (waiting, failed-final and set-aside)
 * @param oldestArrival  arrival of the oldest waiting entry, null when none waits
 * @param entries        every known entry in arrival order, outcomes of delivered ones included
 */
public record SpoolSummary(String group, int waiting, long bytes, Instant oldestArrival, int failedFinal,
                           int setAside, List<EntryView> entries) {
}
