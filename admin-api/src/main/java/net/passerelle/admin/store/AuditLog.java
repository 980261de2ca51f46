package net.passerelle.admin.store;

import net.passerelle.admin.model.AuditEntry;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * The audit protocol. Every change of the table appends its entries in the same transaction as the change, at
 * the version the change produced (so newest first is {@code ORDER BY version DESC, id DESC}, whatever order
 * Galera gives auto-increment ids). Operations outside the table ({@link #recordEvent}) are entries at the
 * current version, which they do not increment. {@code before} and {@code after} are JSON snapshots.
 */
final class AuditLog {
    static final int MAX_LIMIT = 10_000;

    private final Transactions tx;
    private final Clock clock;

    AuditLog(Transactions tx, Clock clock) {
        this.tx = tx;
        this.clock = clock;
    }

    /** Appends an entry whose snapshots are written as JSON from {@code before} and {@code after} (either may be null). */
    void append(Connection c, long version, String actor, String action, String target, Object before, Object after)
            throws SQLException {
        appendJson(c, version, actor, action, target, StoreJson.write(before), StoreJson.write(after));
    }

    /** Appends an entry whose snapshots are JSON text already. */
    void appendJson(Connection c, long version, String actor, String action, String target, String before, String after)
            throws SQLException {
        Sql.update(c, "INSERT INTO audit_log (version, at_ms, actor, action, target, before_json, after_json)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)", version, clock.millis(), actor, action, target, before, after);
    }

    /** See {@link Store#recordEvent}. */
    void recordEvent(String actor, String action, String target, String before, String after) {
        if (actor == null || actor.isBlank()) {
            throw new IllegalArgumentException("an audit entry needs an actor");
        }
        tx.run("record " + action, c -> {
            appendJson(c, Transactions.readVersion(c, false), actor, action, target, before, after);
            return null;
        });
    }

    /** See {@link Store#audit}. */
    List<AuditEntry> newest(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("audit limit must be 1.." + MAX_LIMIT + ", not " + limit);
        }
        return tx.run("audit", c -> Sql.query(c,
                "SELECT id, version, at_ms, actor, action, target, before_json, after_json FROM audit_log"
                        + " ORDER BY version DESC, id DESC LIMIT ?",
                rs -> new AuditEntry(rs.getLong("id"), Instant.ofEpochMilli(rs.getLong("at_ms")),
                        rs.getString("actor"), rs.getString("action"), rs.getString("target"),
                        rs.getString("before_json"), rs.getString("after_json"), rs.getLong("version")),
                limit));
    }

    /** The actor of a change: non-blank and at most 255 characters (the column's width). */
    static void requireActor(String actor) {
        if (actor == null || actor.isBlank()) {
            throw new IllegalArgumentException("actor is required");
        }
        if (actor.length() > 255) {
            throw new IllegalArgumentException("actor must be at most 255 characters");
        }
    }
}
