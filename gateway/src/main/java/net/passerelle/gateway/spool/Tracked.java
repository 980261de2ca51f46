package net.passerelle.gateway.spool;

import java.nio.file.Path;
import java.time.Instant;

/** The spool's mutable record of one entry; guarded by its {@link GroupSpool}'s monitor. */
final class Tracked {
    final long seq;
    final String ref;
    String method;
    String path;
    Instant arrival;
    long size;
    /** the entry file while it exists (in the group directory, or under set-aside/) */
    Path file;
    EntryStatus status;
    int attempts;
    int code;
    String reason;
    Instant at;

    Tracked(long seq, String ref) {
        this.seq = seq;
        this.ref = ref;
    }

    EntryView view() {
        return new EntryView(ref, seq, method, path, arrival, size, status, attempts, code, reason, at);
    }

    Journal.Record record(String actor) {
        return new Journal.Record(seq, ref, status.wireName(), attempts, code, reason,
                at == null ? 0 : at.toEpochMilli(), method, path, arrival == null ? null : arrival.toEpochMilli(),
                size, actor);
    }

    static Tracked fromRecord(Journal.Record r) {
        Tracked t = new Tracked(r.seq(), r.ref());
        t.status = EntryStatus.fromWire(r.status());
        t.attempts = r.attempts();
        t.code = r.code();
        t.reason = r.reason();
        t.at = r.at() == 0 ? null : Instant.ofEpochMilli(r.at());
        t.method = r.method();
        t.path = r.path();
        t.arrival = r.arrival() == null ? null : Instant.ofEpochMilli(r.arrival());
        t.size = r.size();
        return t;
    }
}
