package net.passerelle.gateway.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One group's directory, index and journal. Every field is guarded by this object's monitor. */
final class GroupSpool {
    final String name;
    final Path dir;
    final Path setAsideDir;
    final TreeMap<Long, Tracked> bySeq = new TreeMap<>();
    final Map<String, Tracked> byRef = new HashMap<>();
    /** bytes of committed files in the group directory (waiting and failed-final) */
    long committedBytes;
    /** bytes reserved by writers in progress */
    long reservedBytes;
    int openWriters;
    /** reference id of the entry being sent right now, or null */
    String inFlight;
    private Journal journal;
    private boolean dirReady;

    GroupSpool(String name, Path root) {
        this.name = name;
        this.dir = root.resolve(name);
        this.setAsideDir = dir.resolve("set-aside");
    }

    void add(Tracked t) {
        bySeq.put(t.seq, t);
        byRef.put(t.ref, t);
    }

    /** Creates the directory (0700) on first use; called on the disk executor. */
    synchronized void ensureDirectory() throws IOException {
        if (!dirReady) {
            SpoolFiles.createPrivateDirectory(dir);
            dirReady = true;
        }
    }

    synchronized void openJournal(List<Journal.Record> records) throws IOException {
        ensureDirectory();
        journal = Journal.rewrite(dir.resolve("journal"), records);
    }

    /** Durably records {@code t}'s current state; call with the monitor held. */
    void journal(Tracked t, String actor) throws IOException {
        if (journal == null) {
            openJournal(List.of());
        }
        journal.append(t.record(actor));
    }

    synchronized void close() throws IOException {
        if (journal != null) {
            journal.close();
        }
    }

    static boolean exists(Path dir) {
        return Files.isDirectory(dir);
    }
}
