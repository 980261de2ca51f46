package net.passerelle.admin.store;

import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.HostMapping;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The configuration's seed (see {@link Store#seed}) and the rows of {@code seed_history}, which remember what the
 * seed wrote once so that it never re-creates what ops deleted.
 */
final class SeedRepository {
    private static final String GROUP = "group";
    private static final String HOST = "host";

    private final Transactions tx;
    private final AuditLog audit;
    private final Clock clock;

    SeedRepository(Transactions tx, AuditLog audit, Clock clock) {
        this.tx = tx;
        this.audit = audit;
        this.clock = clock;
    }

    long seed(List<Group> groups, List<HostMapping> hosts) {
        List<Group> seedGroups = groups == null ? List.of() : List.copyOf(groups);
        List<HostMapping> seedHosts = hosts == null ? List.of() : List.copyOf(hosts);
        return tx.mutate("seed", (c, version) -> {
            long next = version + 1;
            boolean changed = seedGroups(c, seedGroups, next) | seedHosts(c, seedHosts, next);
            return changed ? Transactions.bump(c, version) : version;
        });
    }

    /** Creates the groups never seeded before that do not exist; true when it created one. */
    private boolean seedGroups(Connection c, List<Group> groups, long next) throws SQLException {
        long now = clock.millis();
        Set<String> seeded = readHistory(c, GROUP);
        boolean changed = false;
        for (Group g : groups) {
            Group group = GroupRepository.stamp(null, GroupRepository.truncate(g), clock);
            if (!seeded.add(group.name())) {
                continue;
            }
            remember(c, GROUP, group.name(), now);
            if (GroupRepository.exists(c, group.name())) {
                continue;
            }
            GroupRepository.write(c, false, group);
            audit.append(c, next, Store.SEED_ACTOR, "group.create", group.name(), null, group);
            changed = true;
        }
        return changed;
    }

    /** Maps the hosts never seeded before that are not mapped; true when it mapped one. */
    private boolean seedHosts(Connection c, List<HostMapping> hosts, long next) throws SQLException {
        long now = clock.millis();
        Set<String> seeded = readHistory(c, HOST);
        boolean changed = false;
        for (HostMapping h : hosts) {
            if (!seeded.add(h.host())) {
                continue;
            }
            remember(c, HOST, h.host(), now);
            if (HostRepository.readOne(c, h.host()).isPresent()) {
                continue;
            }
            if (!GroupRepository.exists(c, h.group())) {
                throw new NotFoundException("group", h.group());
            }
            HostRepository.insert(c, h);
            audit.append(c, next, Store.SEED_ACTOR, "host.create", h.host(), null, h);
            changed = true;
        }
        return changed;
    }

    private static void remember(Connection c, String kind, String name, long now) throws SQLException {
        Sql.update(c, "INSERT INTO seed_history (kind, name, seeded_ms) VALUES (?, ?, ?)", kind, name, now);
    }

    private static Set<String> readHistory(Connection c, String kind) throws SQLException {
        return new HashSet<>(Sql.query(c, "SELECT name FROM seed_history WHERE kind = ?", rs -> rs.getString(1), kind));
    }
}
