package net.passerelle.gateway.spool;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What becomes of a group's entries once committed: the status moves that ops and the replayer make, each journaled
 * (fsynced) under the group's monitor before it is visible, and the views read from the same index.
 */
final class EntryLedger {
    // under the spool's name, as before the split: operators filter and alert on that logger
    private static final Logger log = LoggerFactory.getLogger(Spool.class);

    /** Told of every replay attempt's outcome (metrics); never null. */
    private volatile ReplayOutcomes outcomes = ReplayOutcomes.NONE;

    void setReplayOutcomes(ReplayOutcomes listener) {
        this.outcomes = Objects.requireNonNull(listener);
    }

    SpoolSummary summary(GroupSpool g) {
        synchronized (g) {
            List<EntryView> views = new ArrayList<>(g.bySeq.size());
            int waiting = 0;
            int failed = 0;
            int setAside = 0;
            long bytes = 0;
            Instant oldest = null;
            for (Tracked t : g.bySeq.values()) {
                views.add(t.view());
                if (t.file != null) {
                    bytes += t.size;
                }
                if (t.status.awaitsReplay()) {
                    waiting++;
                    if (oldest == null || t.arrival.isBefore(oldest)) {
                        oldest = t.arrival;
                    }
                } else if (t.status == EntryStatus.FAILED_FINAL) {
                    failed++;
                } else if (t.status == EntryStatus.SET_ASIDE) {
                    setAside++;
                }
            }
            return new SpoolSummary(g.name, waiting, bytes, oldest, failed, setAside, views);
        }
    }

    /** See {@link Spool#discard}. */
    Optional<EntryView> discard(GroupSpool g, String referenceId, String actor) throws IOException {
        synchronized (g) {
            Tracked t = g.byRef.get(referenceId);
            if (t == null) {
                return Optional.empty();
            }
            if (t.status == EntryStatus.DELIVERED || t.status == EntryStatus.DISCARDED) {
                throw new IllegalStateException("entry " + referenceId + " is already " + t.status.wireName());
            }
            if (t.ref.equals(g.inFlight)) {
                throw new IllegalStateException("entry " + referenceId + " is being replayed right now");
            }
            EntryView before = t.view();
            EntryStatus was = t.status;
            t.status = EntryStatus.DISCARDED;
            t.reason = "discarded by " + actor;
            t.at = Instant.now();
            g.journal(t, actor);
            removeFile(g, t, was != EntryStatus.SET_ASIDE);
            return Optional.of(before);
        }
    }

    /** See {@link Spool#requeue}. */
    Optional<EntryView> requeue(GroupSpool g, String referenceId, String actor) throws IOException {
        synchronized (g) {
            Tracked t = g.byRef.get(referenceId);
            if (t == null) {
                return Optional.empty();
            }
            if (t.status != EntryStatus.FAILED_FINAL) {
                throw new IllegalStateException("entry " + referenceId + " is " + t.status.wireName() + ", not failed-final");
            }
            EntryView before = t.view();
            t.status = EntryStatus.PENDING;
            t.attempts = 0;
            t.at = Instant.now();
            g.journal(t, actor);
            return Optional.of(before);
        }
    }

    /** The waiting entry with the lowest sequence, or null. */
    Tracked nextToReplay(GroupSpool g) {
        synchronized (g) {
            for (Tracked t : g.bySeq.values()) {
                if (t.status.awaitsReplay()) {
                    return t;
                }
            }
            return null;
        }
    }

    /** Durably marks an attempt as started, before anything is sent. */
    void markReplaying(GroupSpool g, Tracked t, int attempt) throws IOException {
        synchronized (g) {
            if (!t.status.awaitsReplay()) {
                throw new IllegalStateException("entry " + t.ref + " is " + t.status.wireName());
            }
            t.status = EntryStatus.REPLAYING;
            t.attempts = attempt;
            t.at = Instant.now();
            g.inFlight = t.ref;
            g.journal(t, null);
        }
    }

    /** Durably records an attempt's outcome; a delivered entry's file is then removed. */
    void markOutcome(GroupSpool g, Tracked t, EntryStatus status, int code, String reason) throws IOException {
        synchronized (g) {
            t.status = status;
            t.code = code;
            t.reason = reason;
            t.at = Instant.now();
            g.journal(t, null);
            if (status != EntryStatus.REPLAYING) {
                g.inFlight = null;
            }
            if (status == EntryStatus.DELIVERED) {
                removeFile(g, t, true);
            }
        }
        outcomes.outcome(g.name, status);
    }

    /** Waits (at most {@code millis}) while writers of the group are still open; true when none is. */
    boolean awaitNoOpenWriters(GroupSpool g, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        synchronized (g) {
            while (g.openWriters > 0) {
                long left = end - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                g.wait(left);
            }
            return true;
        }
    }

    /** Reads and verifies an entry's file for replay. */
    EntryFormat.Stored read(GroupSpool g, Tracked t) throws IOException {
        Path file;
        synchronized (g) {
            file = t.file;
        }
        if (file == null) {
            throw new IOException("entry " + t.ref + " has no file");
        }
        return EntryFormat.verify(file);
    }

    private void removeFile(GroupSpool g, Tracked t, boolean counted) {
        if (t.file == null) {
            return;
        }
        try {
            Files.deleteIfExists(t.file);
        } catch (IOException e) {
            // the journal says it is gone: the next start removes it
            log.warn("spool {}: could not remove {}: {}", g.name, t.file, e.toString());
        }
        t.file = null;
        if (counted) {
            g.committedBytes -= t.size;
        }
    }
}
