package net.passerelle.admin.store;

import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.Group;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Backends' administrative states: the rows of {@code backend_state}, keyed by the address as groups write it.
 * A backend without a row is {@code ready}, so setting {@code ready} deletes the row.
 */
final class BackendStateRepository {
    private static final String READY = "ready";

    private final Transactions tx;
    private final AuditLog audit;
    private final Clock clock;

    BackendStateRepository(Transactions tx, AuditLog audit, Clock clock) {
        this.tx = tx;
        this.audit = audit;
        this.clock = clock;
    }

    long setBackendState(String actor, String address, String state) {
        AuditLog.requireActor(actor);
        if (!List.of(READY, "drain", "maint").contains(state)) {
            throw new IllegalArgumentException("state must be ready, drain or maint, not '" + state + "'");
        }
        String key = Backend.parse(address).toString();
        return tx.mutate("setBackendState", (c, version) -> {
            if (!isUsed(c, key)) {
                throw new NotFoundException("backend", key);
            }
            String before = readAll(c).getOrDefault(key, READY);
            if (before.equals(state)) {
                return version;
            }
            Sql.update(c, "DELETE FROM backend_state WHERE address = ?", key);
            if (!state.equals(READY)) {
                Sql.update(c, "INSERT INTO backend_state (address, state, updated_ms) VALUES (?, ?, ?)", key, state, clock.millis());
            }
            long next = Transactions.bump(c, version);
            audit.append(c, next, actor, "backend.state", key, Map.of("state", before), Map.of("state", state));
            return next;
        });
    }

    /** Whether a group uses the backend, as a backend or a spare. */
    private static boolean isUsed(Connection c, String key) throws SQLException {
        for (Group g : GroupRepository.readAll(c, null)) {
            if (g.backends().stream().anyMatch(b -> b.toString().equals(key))
                    || g.spares().stream().anyMatch(b -> b.toString().equals(key))) {
                return true;
            }
        }
        return false;
    }

    /** Address to state, for the backends that are not ready. */
    static Map<String, String> readAll(Connection c) throws SQLException {
        Map<String, String> states = new TreeMap<>();
        for (String[] row : Sql.query(c, "SELECT address, state FROM backend_state",
                rs -> new String[]{rs.getString(1), rs.getString(2)})) {
            states.put(row[0], row[1]);
        }
        return states;
    }
}
