package net.passerelle.admin.store;

import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.BackendState;
import net.passerelle.admin.model.Group;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Backends' administrative states: the rows of {@code backend_state}, keyed by the address as groups write it.
 * A backend without a row is {@code ready}, so setting {@code ready} deletes the row. The {@code state} column
 * holds the {@link BackendState}'s wire name.
 */
final class BackendStateRepository {

    private final Transactions tx;
    private final AuditLog audit;
    private final Clock clock;

    BackendStateRepository(Transactions tx, AuditLog audit, Clock clock) {
        this.tx = tx;
        this.audit = audit;
        this.clock = clock;
    }

    long setBackendState(String actor, String address, BackendState state) {
        AuditLog.requireActor(actor);
        Objects.requireNonNull(state, "state");
        String key = Backend.parse(address).toString();
        return tx.mutate("setBackendState", (c, version) -> {
            if (!isUsed(c, key)) {
                throw new NotFoundException("backend", key);
            }
            BackendState before = readAll(c).getOrDefault(key, BackendState.READY);
            if (before == state) {
                return version;
            }
            Sql.update(c, "DELETE FROM backend_state WHERE address = ?", key);
            if (state != BackendState.READY) {
                Sql.update(c, "INSERT INTO backend_state (address, state, updated_ms) VALUES (?, ?, ?)",
                        key, state.wireName(), clock.millis());
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
    static Map<String, BackendState> readAll(Connection c) throws SQLException {
        Map<String, BackendState> states = new TreeMap<>();
        for (String[] row : Sql.query(c, "SELECT address, state FROM backend_state",
                rs -> new String[]{rs.getString(1), rs.getString(2)})) {
            states.put(row[0], BackendState.parse(row[1]));
        }
        return states;
    }
}
