package net.passerelle.admin.store;

import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.HostMapping;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.Names;
import net.passerelle.admin.model.Window;
import net.passerelle.admin.model.WritePolicy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Groups: the rows of {@code account_group} (one per group, the window in four nullable columns) and
 * {@code group_backend} (its backends and spares, in order), and the group operations of {@link Store}.
 */
final class GroupRepository {
    private static final String ROLE_BACKEND = "backend";
    private static final String ROLE_SPARE = "spare";

    private final Transactions tx;
    private final AuditLog audit;
    private final Clock clock;

    GroupRepository(Transactions tx, AuditLog audit, Clock clock) {
        this.tx = tx;
        this.audit = audit;
        this.clock = clock;
    }

    // ---- operations --------------------------------------------------------------------------------------

    Optional<Group> group(String name) {
        if (!Names.isValidGroupName(name)) {
            return Optional.empty();
        }
        return tx.run("group", c -> readOne(c, name));
    }

    List<Group> groups() {
        return tx.run("groups", c -> readAll(c, null));
    }

    long putGroup(String actor, Group group) {
        AuditLog.requireActor(actor);
        Objects.requireNonNull(group, "group");
        return tx.mutate("putGroup", (c, version) -> {
            Group before = readOne(c, group.name()).orElse(null);
            if (before != null) {
                refuseDuringMigration(c, group.name());
            }
            Group after = stamp(before, truncate(group), clock);
            if (after.equals(before)) {
                return version;
            }
            write(c, before != null, after);
            long next = Transactions.bump(c, version);
            audit.append(c, next, actor, before == null ? "group.create" : "group.update", group.name(), before, after);
            return next;
        });
    }

    long setBackends(String actor, String group, List<Backend> backends, List<Backend> spares) {
        AuditLog.requireActor(actor);
        return tx.mutate("setBackends", (c, version) -> {
            refuseDuringMigration(c, group);
            return update(c, version, actor, "group.backends", group, g -> g.withBackends(backends, spares));
        });
    }

    long deleteGroup(String actor, String group) {
        AuditLog.requireActor(actor);
        return tx.mutate("deleteGroup", (c, version) -> {
            Group before = readOne(c, group).orElseThrow(() -> new NotFoundException("group", group));
            List<HostMapping> users = HostRepository.readAll(c, group);
            if (!users.isEmpty()) {
                throw new GroupInUseException(group, users.stream().map(HostMapping::host).toList());
            }
            Sql.update(c, "DELETE FROM group_backend WHERE group_name = ?", group);
            Sql.update(c, "DELETE FROM account_group WHERE name = ?", group);
            long next = Transactions.bump(c, version);
            audit.append(c, next, actor, "group.delete", group, before, null);
            return next;
        });
    }

    long setMode(String actor, String group, Mode mode, WritePolicy writes, Integer retryAfterSeconds,
                 Map<String, String> message) {
        AuditLog.requireActor(actor);
        Objects.requireNonNull(mode, "mode");
        return tx.mutate("setMode", (c, version) -> {
            refuseDuringMigration(c, group);
            return update(c, version, actor, "group.mode", group, g -> g.withMode(mode,
                    writes == null ? g.writes() : writes,
                    retryAfterSeconds == null ? g.retryAfterSeconds() : retryAfterSeconds,
                    message == null ? g.message() : message));
        });
    }

    long setWindow(String actor, String group, Window window) {
        AuditLog.requireActor(actor);
        Objects.requireNonNull(window, "window");
        return update("setWindow", actor, "group.window.set", group, g -> g.withWindow(window));
    }

    long clearWindow(String actor, String group) {
        AuditLog.requireActor(actor);
        return update("clearWindow", actor, "group.window.clear", group, g -> g.withWindow(null));
    }

    /** Read-modify-write of an existing group under the version lock; no change, no new version. */
    private long update(String what, String actor, String action, String name, UnaryOperator<Group> change) {
        return tx.mutate(what, (c, version) -> update(c, version, actor, action, name, change));
    }

    private long update(Connection c, long version, String actor, String action, String name,
                        UnaryOperator<Group> change) throws SQLException {
        Group before = readOne(c, name).orElseThrow(() -> new NotFoundException("group", name));
        Group after = stamp(before, truncate(change.apply(before)), clock);
        if (after.equals(before)) {
            return version;
        }
        write(c, true, after);
        long next = Transactions.bump(c, version);
        audit.append(c, next, actor, action, name, before, after);
        return next;
    }

    /**
     * A group being migrated belongs to its migration until it is done or aborted: a mode or backends set by hand
     * meanwhile would open it during the data copy (writes landing on the old server, lost at the cutover) or move
     * it behind the migration's back, while the migration still reports it read-only. The driver's own changes go
     * through the migration store, not here. Checked in the change's transaction, against the same unique
     * {@code active_group} that refuses a second migration.
     */
    private static void refuseDuringMigration(Connection c, String group) throws SQLException {
        List<String> active = Sql.query(c, "SELECT id FROM migration WHERE active_group = ?", rs -> rs.getString(1), group);
        if (!active.isEmpty()) {
            throw new ActiveMigrationException(group, active.get(0));
        }
    }

    // ---- rows --------------------------------------------------------------------------------------------

    static boolean exists(Connection c, String name) throws SQLException {
        return Sql.exists(c, "SELECT 1 FROM account_group WHERE name = ?", name);
    }

    static Optional<Group> readOne(Connection c, String name) throws SQLException {
        return readAll(c, name).stream().findFirst();
    }

    /** Every group by name, or only the one named {@code only}. */
    static List<Group> readAll(Connection c, String only) throws SQLException {
        String where = only == null ? "" : " WHERE name = ?";
        Object[] args = only == null ? new Object[0] : new Object[]{only};
        List<Group> groups = Sql.query(c, "SELECT name, mode, writes, retry_after_seconds, message, profile,"
                + " window_start, window_end, window_mode, window_writes, read_only_since FROM account_group" + where,
                GroupRepository::groupRow, args);
        if (groups.isEmpty()) {
            return List.of();
        }
        Map<String, List<Backend>> backends = new LinkedHashMap<>();
        Map<String, List<Backend>> spares = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT group_name, role, address FROM group_backend"
                + (only == null ? "" : " WHERE group_name = ?") + " ORDER BY group_name, role, pos")) {
            Sql.bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, List<Backend>> target = ROLE_SPARE.equals(rs.getString(2)) ? spares : backends;
                    target.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(Backend.parse(rs.getString(3)));
                }
            }
        }
        List<Group> result = new ArrayList<>(groups.size());
        for (Group g : groups) {
            result.add(g.withBackends(backends.getOrDefault(g.name(), List.of()), spares.getOrDefault(g.name(), List.of())));
        }
        result.sort(Comparator.comparing(Group::name));
        return result;
    }

    /** One {@code account_group} row, without its backends. */
    private static Group groupRow(ResultSet rs) throws SQLException {
        Window window = null;
        long start = rs.getLong("window_start");
        if (!rs.wasNull()) {
            window = new Window(Instant.ofEpochMilli(start), Instant.ofEpochMilli(rs.getLong("window_end")),
                    Mode.parse(rs.getString("window_mode")), WritePolicy.parse(rs.getString("window_writes")));
        }
        long since = rs.getLong("read_only_since");
        Instant readOnlySince = rs.wasNull() ? null : Instant.ofEpochMilli(since);
        return new Group(rs.getString("name"), List.of(), List.of(), Mode.parse(rs.getString("mode")),
                WritePolicy.parse(rs.getString("writes")), rs.getInt("retry_after_seconds"),
                StoreJson.readMessage(rs.getString("message")), rs.getString("profile"), window, readOnlySince);
    }

    /** Inserts the group, or updates it and replaces its backends when it {@code exists}. */
    static void write(Connection c, boolean exists, Group g) throws SQLException {
        Window w = g.window();
        Object[] values = {
                g.mode().wireName(), g.writes().wireName(), g.retryAfterSeconds(),
                g.message().isEmpty() ? null : StoreJson.write(g.message()), g.profile(),
                w == null ? null : w.start().toEpochMilli(), w == null ? null : w.end().toEpochMilli(),
                w == null ? null : w.mode().wireName(), w == null ? null : w.writes().wireName(),
                g.readOnlySince() == null ? null : g.readOnlySince().toEpochMilli(), g.name()};
        if (exists) {
            Sql.update(c, "UPDATE account_group SET mode = ?, writes = ?, retry_after_seconds = ?, message = ?, profile = ?,"
                    + " window_start = ?, window_end = ?, window_mode = ?, window_writes = ?, read_only_since = ?"
                    + " WHERE name = ?", values);
            Sql.update(c, "DELETE FROM group_backend WHERE group_name = ?", g.name());
        } else {
            Sql.update(c, "INSERT INTO account_group (mode, writes, retry_after_seconds, message, profile,"
                    + " window_start, window_end, window_mode, window_writes, read_only_since, name)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values);
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO group_backend (group_name, role, pos, address) VALUES (?, ?, ?, ?)")) {
            int rows = addBackends(ps, g.name(), ROLE_BACKEND, g.backends()) + addBackends(ps, g.name(), ROLE_SPARE, g.spares());
            if (rows > 0) {
                ps.executeBatch();
            }
        }
    }

    private static int addBackends(PreparedStatement ps, String group, String role, List<Backend> list) throws SQLException {
        for (int i = 0; i < list.size(); i++) {
            ps.setString(1, group);
            ps.setString(2, role);
            ps.setInt(3, i);
            ps.setString(4, list.get(i).toString());
            ps.addBatch();
        }
        return list.size();
    }

    /**
     * {@code after} with since when it is read-only: kept from {@code before} while it stays read-only (a change of
     * policy or message does not restart the time), now (to the millisecond, as stored) when it becomes read-only,
     * none otherwise. What the caller put there is not kept: it is the store's record.
     */
    static Group stamp(Group before, Group after, Clock clock) {
        if (after.mode() != Mode.READ_ONLY) {
            return after.withReadOnlySince(null);
        }
        boolean stays = before != null && before.mode() == Mode.READ_ONLY;
        return after.withReadOnlySince(stays ? before.readOnlySince() : Instant.ofEpochMilli(clock.millis()));
    }

    /** The group as the store will give it back: window instants truncated to the millisecond. */
    static Group truncate(Group g) {
        Window w = g.window();
        if (w == null) {
            return g;
        }
        Window t = new Window(w.start().truncatedTo(ChronoUnit.MILLIS), w.end().truncatedTo(ChronoUnit.MILLIS), w.mode(), w.writes());
        return t.equals(w) ? g : g.withWindow(t);
    }
}
