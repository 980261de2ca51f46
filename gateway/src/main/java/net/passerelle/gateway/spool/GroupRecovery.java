package net.passerelle.gateway.spool;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * Brings one group's directory back to a state the spool can serve from, at start: temp files (never acknowledged)
 * are deleted; every entry file is verified in full; one that does not verify (torn, corrupt, unknown version, name
 * and content disagreeing) is moved to {@code set-aside/}, logged and listed in the summary, never replayed; an entry
 * whose journal says delivered or discarded has its file removed (the removal was interrupted); the journal is
 * compacted. Runs once per group, single-threaded, before the spool is shared.
 */
final class GroupRecovery {
    // under the spool's name, as before the split: operators filter and alert on that logger
    private static final Logger log = LoggerFactory.getLogger(Spool.class);

    private final GroupSpool g;
    private final Instant keepAfter;
    /** the last journal record of each sequence that no file has claimed yet */
    private final Map<Long, Journal.Record> latest = new HashMap<>();
    private long maxSeq = -1;

    private GroupRecovery(GroupSpool g, Instant keepAfter) {
        this.g = g;
        this.keepAfter = keepAfter;
    }

    /**
     * Recovers every group directory under {@code root} into {@code groups}.
     *
     * @return the highest sequence seen (in a file or the journal), -1 when none
     */
    static long recoverAll(Path root, Instant keepAfter, Map<String, GroupSpool> groups) throws IOException {
        long maxSeq = -1;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!Files.isDirectory(dir) || !SpoolFiles.GROUP_NAME.matcher(name).matches()) {
                    if (!name.equals(".lock")) {
                        log.warn("spool: ignoring {} (not a group directory)", dir);
                    }
                    continue;
                }
                GroupRecovery r = new GroupRecovery(new GroupSpool(name, root), keepAfter);
                r.run();
                groups.put(name, r.g);
                maxSeq = Math.max(maxSeq, r.maxSeq);
            }
        }
        return maxSeq;
    }

    private void run() throws IOException {
        SpoolFiles.createPrivateDirectory(g.dir);
        loadJournal();
        boolean movedAside = false;
        for (Path p : entryFiles()) {
            movedAside |= !recoverEntry(p);
        }
        if (movedAside) {
            SpoolFiles.fsyncDirectory(g.setAsideDir);
            SpoolFiles.fsyncDirectory(g.dir);
        }
        adoptEarlierSetAside();
        adoptFilelessOutcomes();
        compactJournal();
        if (!g.bySeq.isEmpty()) {
            log.info("spool {}: {} entries waiting, {} set aside", g.name,
                    g.bySeq.values().stream().filter(t -> t.status.awaitsReplay()).count(),
                    g.bySeq.values().stream().filter(t -> t.status == EntryStatus.SET_ASIDE).count());
        }
    }

    private void loadJournal() throws IOException {
        int[] bad = {0};
        for (Journal.Record r : Journal.load(g.dir.resolve("journal"), bad)) {
            latest.put(r.seq(), r);
            seen(r.seq());
        }
        if (bad[0] > 0) {
            log.warn("spool {}: {} torn or corrupt journal line(s) ignored (their entries keep their previous status)",
                    g.name, bad[0]);
        }
    }

    /** The group directory's candidate entry files, in name (thus sequence) order; temp files are deleted. */
    private List<Path> entryFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(g.dir)) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                if (f.endsWith(".tmp")) {
                    Files.delete(p);
                    log.info("spool {}: deleted unacknowledged temp file {}", g.name, f);
                } else if (Files.isRegularFile(p) && !f.equals("journal")) {
                    files.add(p);
                }
            }
        }
        files.sort(null);
        return files;
    }

    /** Verifies one file and indexes its entry; false when it had to be set aside. */
    private boolean recoverEntry(Path p) throws IOException {
        String f = p.getFileName().toString();
        Matcher m = SpoolFiles.ENTRY_NAME.matcher(f);
        long seq = m.matches() ? Long.parseLong(m.group(1)) : -1;
        String ref = m.matches() ? m.group(2) : f;
        try {
            index(p, verified(p, seq, ref), seq, ref);
            return true;
        } catch (IOException e) {
            // a file that cannot be finished with (not even its interrupted removal) is kept for ops, out of the way
            setAside(p, seq, ref, e.getMessage());
            return false;
        }
    }

    private void index(Path p, EntryFormat.Stored s, long seq, String ref) throws IOException {
        seen(seq);
        Journal.Record r = latest.get(seq);
        Tracked t = r == null ? new Tracked(seq, ref) : Tracked.fromRecord(r);
        t.status = r == null ? EntryStatus.PENDING : t.status;
        t.method = s.head().method();
        t.path = s.head().path();
        t.arrival = s.head().arrival();
        t.size = s.fileSize();
        if (t.status == EntryStatus.DELIVERED || t.status == EntryStatus.DISCARDED) {
            Files.delete(p);
            log.info("spool {}: removed the file of {} entry {} (removal was interrupted)", g.name, t.status.wireName(), ref);
        } else {
            if (t.status == EntryStatus.SET_ASIDE) {
                t.status = EntryStatus.PENDING; // verifies now: cannot happen unless restored by hand
            } else if (t.status == EntryStatus.REPLAYING) {
                holdInDoubt(t);
            }
            t.file = p;
            g.committedBytes += t.size;
        }
        latest.remove(seq);
        g.add(t);
    }

    /**
     * An entry whose attempt had started when the process ended: the backend may have applied it, and its answer was
     * lost. Sending it again could apply it twice (Piwigo does not deduplicate by {@code Idempotency-Key}), and the
     * spec says a crash replays none twice; dropping it could lose it. So it is held for ops, who can see whether the
     * backend has it: failed-final (kept, never blocking the queue), then requeued or discarded through the API.
     */
    private void holdInDoubt(Tracked t) {
        t.status = EntryStatus.FAILED_FINAL;
        t.code = 0;
        t.reason = "in doubt: the gateway stopped while sending it (attempt " + t.attempts + "), so the backend may"
                + " have applied it; if it did not, requeue it (POST …/spool/{ref}/requeue, ctl spool requeue),"
                + " else discard it";
        log.warn("spool {}: entry {} ({} {}) was being sent when the gateway stopped; held as failed-final, not sent"
                + " again: the backend may have it. Check, then requeue or discard it", g.name, t.ref, t.method, t.path);
    }

    private EntryFormat.Stored verified(Path p, long seq, String ref) throws IOException {
        if (seq < 0) {
            throw new EntryFormat.CorruptEntryException("not an entry file name");
        }
        EntryFormat.Stored s = EntryFormat.verify(p);
        EntryFormat.Head h = s.head();
        if (h.sequence() != seq || !h.referenceId().equals(ref) || !h.group().equals(g.name)) {
            throw new EntryFormat.CorruptEntryException("name and content disagree");
        }
        return s;
    }

    private void setAside(Path p, long seq, String ref, String reason) throws IOException {
        String f = p.getFileName().toString();
        Tracked t = new Tracked(seq, ref);
        t.status = EntryStatus.SET_ASIDE;
        t.reason = reason;
        t.at = Instant.now();
        t.size = Files.size(p);
        SpoolFiles.createPrivateDirectory(g.setAsideDir);
        Path target = g.setAsideDir.resolve(f);
        Files.move(p, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        t.file = target;
        log.error("spool {}: entry file {} set aside, never replayed: {}", g.name, f, reason);
        latest.remove(seq);
        if (seq >= 0) {
            seen(seq);
            g.add(t);
        }
    }

    /** Files set aside at earlier starts stay listed (and their sequences stay used) until ops discard them. */
    private void adoptEarlierSetAside() throws IOException {
        if (!Files.isDirectory(g.setAsideDir)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(g.setAsideDir)) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                Matcher m = SpoolFiles.ENTRY_NAME.matcher(f);
                long seq = m.matches() ? Long.parseLong(m.group(1)) : -1;
                if (seq >= 0 && g.bySeq.containsKey(seq)) {
                    continue;
                }
                Journal.Record r = seq >= 0 ? latest.remove(seq) : null;
                Tracked t = r != null ? Tracked.fromRecord(r) : new Tracked(seq, m.matches() ? m.group(2) : f);
                t.status = EntryStatus.SET_ASIDE;
                t.reason = t.reason == null ? "set aside at an earlier start" : t.reason;
                t.size = Files.size(p);
                t.file = p;
                if (seq >= 0) {
                    seen(seq);
                    g.add(t);
                }
            }
        }
    }

    /**
     * Journal records no file claimed: an entry still owed to a backend has lost its file, which ops must see; a
     * finished one is kept while it is recent enough to be asked about.
     */
    private void adoptFilelessOutcomes() {
        for (Journal.Record r : latest.values()) {
            Tracked t = Tracked.fromRecord(r);
            if (t.status.awaitsReplay() || t.status == EntryStatus.FAILED_FINAL || t.status == EntryStatus.SET_ASIDE) {
                log.error("spool {}: entry {} is {} in the journal but its file is missing", g.name, t.ref, t.status.wireName());
                t.status = EntryStatus.SET_ASIDE;
                t.reason = "entry file missing";
                g.add(t);
            } else if (t.at == null || t.at.isAfter(keepAfter)) {
                g.add(t);
            }
        }
    }

    private void compactJournal() throws IOException {
        List<Journal.Record> compacted = new ArrayList<>(g.bySeq.size());
        for (Tracked t : g.bySeq.values()) {
            compacted.add(t.record(null));
        }
        g.openJournal(compacted);
    }

    private void seen(long seq) {
        maxSeq = Math.max(maxSeq, seq);
    }
}
