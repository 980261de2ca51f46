package net.passerelle.admin.store;

import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.Migration;
import net.passerelle.admin.model.MigrationState;
import net.passerelle.admin.model.MigrationStep;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@link MigrationStore} over the tables of V5 and V6 ({@code migration}, {@code migration_step}), on
 * {@link JdbcStore}'s pool, transactions and audit log. Step times are the writer's clock (as audit times are); locks are judged by
 * the database's clock only, so that the fleet's clocks need not agree on who holds what.
 */
final class JdbcMigrationStore implements MigrationStore {
    private static final String COLUMNS = "id, group_name, active_group, state, writes, from_json, to_json,"
            + " max_read_only_seconds, start_ms, verify_path, created_ms, updated_ms, read_only_since_ms, overrun_ms,"
            + " report_json, spool_json, lock_owner, lock_until_ms";
    private static final int MAX_LIMIT = 1000;

    private final Transactions tx;
    private final AuditLog audit;
    private final Clock clock;
    private final String nowSql;

    JdbcMigrationStore(Transactions tx, AuditLog audit, Clock clock, String nowSql) {
        this.tx = tx;
        this.audit = audit;
        this.clock = clock;
        this.nowSql = nowSql;
    }

    @Override
    public Migration create(String actor, Migration m) {
        AuditLog.requireActor(actor);
        return tx.run("create migration", c -> {
            if (!GroupRepository.exists(c, m.group())) {
                throw new NotFoundException("group", m.group());
            }
            long at = clock.millis();
            try {
                Sql.update(c, "INSERT INTO migration (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                                + " ?, ?, ?, ?)", m.id(), m.group(), m.group(), MigrationState.SCHEDULED.wireName(),
                        m.writes().wireName(), StoreJson.write(m.from()), StoreJson.write(m.to()),
                        m.maxReadOnlySeconds(), millis(m.start()), m.path(), at, at, null, null, null, null, null, 0L);
            } catch (SQLException e) {
                if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
                    throw e;
                }
                List<String> active = Sql.query(c, "SELECT id FROM migration WHERE active_group = ?",
                        rs -> rs.getString(1), m.group());
                throw new ActiveMigrationException(m.group(), active.isEmpty() ? "(finishing)" : active.get(0));
            }
            String outcome = m.start() == null ? "created; starts at once" : "created; starts at " + m.start();
            insertStep(c, m.id(), 0, MigrationState.SCHEDULED.wireName(), MigrationStep.RUNNING, at, outcome);
            auditStep(c, actor, m.group(), m.id(), MigrationState.SCHEDULED.wireName(), MigrationStep.RUNNING, outcome);
            return read(c, m.id(), false).orElseThrow();
        });
    }

    @Override
    public Optional<Migration> find(String id) {
        return tx.run("migration", c -> read(c, id, false));
    }

    @Override
    public List<Migration> list(String group, int limit) {
        int n = Math.max(1, Math.min(limit, MAX_LIMIT));
        String where = group == null ? "" : " WHERE group_name = ?";
        Object[] args = group == null ? new Object[]{n} : new Object[]{group, n};
        return tx.run("migrations", c -> withSteps(c, Sql.query(c, "SELECT " + COLUMNS + " FROM migration" + where
                + " ORDER BY created_ms DESC, id DESC LIMIT ?", JdbcMigrationStore::row, args)));
    }

    @Override
    public List<Migration> active() {
        return tx.run("active migrations", c -> withSteps(c, Sql.query(c, "SELECT " + COLUMNS + " FROM migration"
                + " WHERE active_group IS NOT NULL ORDER BY created_ms, id", JdbcMigrationStore::row)));
    }

    @Override
    public Map<MigrationState, Integer> countByState() {
        return tx.run("migrations by state", c -> {
            Map<MigrationState, Integer> counts = new java.util.EnumMap<>(MigrationState.class);
            for (Object[] row : Sql.query(c, "SELECT state, COUNT(*) FROM migration GROUP BY state",
                    rs -> new Object[]{rs.getString(1), rs.getInt(2)})) {
                counts.put(MigrationState.parse((String) row[0]), (Integer) row[1]);
            }
            return counts;
        });
    }

    @Override
    public boolean claim(String id, String owner, Duration ttl) {
        requireOwner(owner);
        return tx.run("claim migration", c -> {
            long now = storeNow(c);
            return Sql.update(c, "UPDATE migration SET lock_owner = ?, lock_until_ms = ? WHERE id = ?"
                            + " AND active_group IS NOT NULL AND (lock_owner IS NULL OR lock_owner = ? OR lock_until_ms < ?)",
                    owner, now + ttl.toMillis(), id, owner, now) == 1;
        });
    }

    @Override
    public void release(String id, String owner) {
        tx.run("release migration", c -> Sql.update(c,
                "UPDATE migration SET lock_owner = NULL, lock_until_ms = 0 WHERE id = ? AND lock_owner = ?", id, owner));
    }

    @Override
    public boolean apply(String actor, String id, Set<MigrationState> expected, String owner, MigrationChange change) {
        AuditLog.requireActor(actor);
        return tx.run("migration " + id, c -> {
            long now = storeNow(c);
            Migration m = read(c, id, true).orElse(null);
            if (m == null || !expected.contains(m.state())) {
                return false;
            }
            if (owner != null && (!owner.equals(m.lockOwner()) || m.lockUntil().toEpochMilli() < now)) {
                return false;
            }
            if (change.overrun && m.overrunAt() != null) {
                return false;
            }
            if (!update(c, m, owner, now, change)) {
                return false;
            }
            writeSteps(c, actor, m, change);
            if (change.mode != null || change.backends != null) {
                change.version = applyToGroup(c, actor, m, change);
            }
            return true;
        });
    }

    /** The row's compare-and-set: the same conditions again in the WHERE, so the database has the last word. */
    private boolean update(Connection c, Migration m, String owner, long now, MigrationChange ch) throws SQLException {
        long at = clock.millis();
        StringBuilder set = new StringBuilder("updated_ms = ?");
        List<Object> args = new ArrayList<>(List.of(at));
        if (ch.state != null) {
            set.append(", state = ?");
            args.add(ch.state.wireName());
        }
        if (ch.readOnlySince) {
            set.append(", read_only_since_ms = COALESCE(read_only_since_ms, ?)");
            args.add(at);
        }
        if (ch.overrun) {
            set.append(", overrun_ms = ?");
            args.add(at);
        }
        if (ch.reportJson != null) {
            set.append(", report_json = ?");
            args.add(ch.reportJson);
        }
        if (ch.spoolJson != null) {
            set.append(", spool_json = ?");
            args.add(ch.spoolJson);
        }
        if (ch.lockOwner != null) {
            set.append(", lock_owner = ?, lock_until_ms = ?");
            args.add(ch.lockOwner);
            args.add(now + ch.lockTtl.toMillis());
        }
        if (ch.finish) {
            set.append(", active_group = NULL, lock_owner = NULL, lock_until_ms = 0");
        }
        StringBuilder where = new StringBuilder(" WHERE id = ? AND state = ?");
        args.add(m.id());
        args.add(m.state().wireName());
        if (owner != null) {
            where.append(" AND lock_owner = ? AND lock_until_ms >= ?");
            args.add(owner);
            args.add(now);
        }
        if (ch.overrun) {
            where.append(" AND overrun_ms IS NULL");
        }
        return Sql.update(c, "UPDATE migration SET " + set + where, args.toArray()) == 1;
    }

    /**
     * The group's side of a change, as {@code Store.setMode} / {@code setBackends} would write it, with the group's
     * own write policy kept in the migration's row across the read-only time (the row is locked: read by
     * {@link #apply} for update).
     */
    private long applyToGroup(Connection c, String actor, Migration m, MigrationChange ch) throws SQLException {
        String name = m.group();
        long version = Transactions.readVersion(c, true);
        Group before = GroupRepository.readOne(c, name).orElseThrow(() -> new NotFoundException("group", name));
        Group after = before;
        if (ch.mode == Mode.READ_ONLY) {
            Sql.update(c, "UPDATE migration SET standing_writes = COALESCE(standing_writes, ?) WHERE id = ?",
                    before.writes().wireName(), m.id());
        }
        if (ch.mode != null) {
            WritePolicy writes = ch.writes == null ? before.writes() : ch.writes;
            if (ch.reopen) {
                List<String> standing = Sql.query(c, "SELECT standing_writes FROM migration WHERE id = ?",
                        rs -> rs.getString(1), m.id());
                writes = standing.isEmpty() || standing.get(0) == null ? writes : WritePolicy.parse(standing.get(0));
            }
            after = after.withMode(ch.mode, writes, before.retryAfterSeconds(), before.message());
        }
        if (ch.backends != null) {
            after = after.withBackends(ch.backends.backends().stream().map(Backend::parse).toList(),
                    ch.backends.spares().stream().map(Backend::parse).toList());
        }
        after = GroupRepository.stamp(before, GroupRepository.truncate(after), clock);
        if (after.equals(before)) {
            return version;
        }
        GroupRepository.write(c, true, after);
        long next = Transactions.bump(c, version);
        audit.append(c, next, actor, ch.backends != null ? "group.backends" : "group.mode", name, before, after);
        return next;
    }

    private void writeSteps(Connection c, String actor, Migration m, MigrationChange ch) throws SQLException {
        long at = clock.millis();
        if (ch.endStatus != null) {
            for (int seq = 0; seq < m.steps().size(); seq++) {
                MigrationStep s = m.steps().get(seq);
                if (s.running()) {
                    String outcome = ch.endOutcome == null ? s.outcome() : ch.endOutcome;
                    Sql.update(c, "UPDATE migration_step SET status = ?, ended_ms = ?, outcome = ? WHERE migration_id = ?"
                            + " AND seq = ?", ch.endStatus, at, clip(outcome), m.id(), seq);
                    auditStep(c, actor, m.group(), m.id(), s.step(), ch.endStatus, outcome);
                }
            }
        }
        if (ch.beginStep != null) {
            insertStep(c, m.id(), m.steps().size(), ch.beginStep, ch.beginStatus, at, ch.beginOutcome);
            auditStep(c, actor, m.group(), m.id(), ch.beginStep, ch.beginStatus, ch.beginOutcome);
        }
    }

    private static void insertStep(Connection c, String id, int seq, String step, String status, long at, String outcome)
            throws SQLException {
        Sql.update(c, "INSERT INTO migration_step (migration_id, seq, step, status, started_ms, ended_ms, outcome)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)", id, seq, step, status, at,
                MigrationStep.RUNNING.equals(status) ? null : at, clip(outcome));
    }

    private void auditStep(Connection c, String actor, String group, String id, String step, String status,
                           String outcome) throws SQLException {
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("migration", id);
        after.put("status", status);
        after.put("outcome", outcome);
        audit.append(c, Transactions.readVersion(c, false), actor, "migration." + step, group, null, after);
    }

    // ---- rows --------------------------------------------------------------------------------------------

    private static Optional<Migration> read(Connection c, String id, boolean lock) throws SQLException {
        List<Migration> rows = Sql.query(c, "SELECT " + COLUMNS + " FROM migration WHERE id = ?"
                + (lock ? " FOR UPDATE" : ""), JdbcMigrationStore::row, id);
        return withSteps(c, rows).stream().findFirst();
    }

    private static List<Migration> withSteps(Connection c, List<Migration> rows) throws SQLException {
        List<Migration> out = new ArrayList<>(rows.size());
        for (Migration m : rows) {
            List<MigrationStep> steps = Sql.query(c, "SELECT step, status, started_ms, ended_ms, outcome FROM"
                    + " migration_step WHERE migration_id = ? ORDER BY seq", rs -> new MigrationStep(rs.getString(1),
                    rs.getString(2), instant(rs, 3), instant(rs, 4), rs.getString(5)), m.id());
            out.add(new Migration(m.id(), m.group(), m.state(), m.writes(), m.from(), m.to(), m.maxReadOnlySeconds(),
                    m.start(), m.path(), m.createdAt(), m.updatedAt(), m.readOnlySince(), m.overrunAt(), m.reportJson(),
                    m.spoolJson(), m.lockOwner(), m.lockUntil(), m.active(), steps));
        }
        return out;
    }

    private static Migration row(ResultSet rs) throws SQLException {
        int max = rs.getInt("max_read_only_seconds");
        Integer maxReadOnly = rs.wasNull() ? null : max;
        return new Migration(rs.getString("id"), rs.getString("group_name"), MigrationState.parse(rs.getString("state")),
                WritePolicy.parse(rs.getString("writes")), StoreJson.read(rs.getString("from_json"), Migration.Placement.class),
                StoreJson.read(rs.getString("to_json"), Migration.Placement.class), maxReadOnly, instant(rs, "start_ms"),
                rs.getString("verify_path"), instant(rs, "created_ms"), instant(rs, "updated_ms"),
                instant(rs, "read_only_since_ms"), instant(rs, "overrun_ms"), rs.getString("report_json"),
                rs.getString("spool_json"), rs.getString("lock_owner"), instant(rs, "lock_until_ms"),
                rs.getString("active_group") != null, List.of());
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    private static Long millis(Instant i) {
        return i == null ? null : i.toEpochMilli();
    }

    private long storeNow(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(nowSql); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("the database did not tell its time");
            }
            return rs.getLong(1);
        }
    }

    private static String clip(String s) {
        return s == null || s.length() <= 1000 ? s : s.substring(0, 999) + "…";
    }

    private static void requireOwner(String owner) {
        if (owner == null || owner.isBlank() || owner.length() > 128) {
            throw new IllegalArgumentException("a lock owner is 1 to 128 characters, not '" + owner + "'");
        }
    }
}
