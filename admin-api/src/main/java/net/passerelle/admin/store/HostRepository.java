package net.passerelle.admin.store;

import net.passerelle.admin.model.HostMapping;
import net.passerelle.admin.model.HostNames;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Host names: the rows of {@code host_mapping} (normalised names) and the host operations of {@link Store}. */
final class HostRepository {
    private final Transactions tx;
    private final AuditLog audit;

    HostRepository(Transactions tx, AuditLog audit) {
        this.tx = tx;
        this.audit = audit;
    }

    // ---- operations --------------------------------------------------------------------------------------

    Optional<HostMapping> host(String host) {
        String normal = HostNames.normalize(host);
        if (normal == null) {
            return Optional.empty();
        }
        return tx.run("host", c -> readOne(c, normal));
    }

    List<HostMapping> hosts(String group) {
        return tx.run("hosts", c -> readAll(c, group));
    }

    long putHost(String actor, HostMapping mapping) {
        AuditLog.requireActor(actor);
        Objects.requireNonNull(mapping, "mapping");
        return tx.mutate("putHost", (c, version) -> {
            if (!GroupRepository.exists(c, mapping.group())) {
                throw new NotFoundException("group", mapping.group());
            }
            HostMapping before = readOne(c, mapping.host()).orElse(null);
            if (mapping.equals(before)) {
                return version;
            }
            if (before == null) {
                insert(c, mapping);
            } else {
                Sql.update(c, "UPDATE host_mapping SET group_name = ?, account = ? WHERE host = ?",
                        mapping.group(), mapping.account(), mapping.host());
            }
            long next = Transactions.bump(c, version);
            audit.append(c, next, actor, before == null ? "host.create" : "host.update", mapping.host(), before, mapping);
            return next;
        });
    }

    long deleteHost(String actor, String host) {
        AuditLog.requireActor(actor);
        String normal = HostNames.normalize(host);
        if (normal == null) {
            throw new NotFoundException("host", host);
        }
        return tx.mutate("deleteHost", (c, version) -> {
            HostMapping before = readOne(c, normal).orElseThrow(() -> new NotFoundException("host", normal));
            Sql.update(c, "DELETE FROM host_mapping WHERE host = ?", normal);
            long next = Transactions.bump(c, version);
            audit.append(c, next, actor, "host.delete", normal, before, null);
            return next;
        });
    }

    // ---- rows --------------------------------------------------------------------------------------------

    static Optional<HostMapping> readOne(Connection c, String host) throws SQLException {
        return Sql.query(c, "SELECT host, group_name, account FROM host_mapping WHERE host = ?", HostRepository::row, host)
                .stream().findFirst();
    }

    /** The hosts of {@code group} (all hosts when null), by host name. */
    static List<HostMapping> readAll(Connection c, String group) throws SQLException {
        Object[] args = group == null ? new Object[0] : new Object[]{group};
        List<HostMapping> list = Sql.query(c, "SELECT host, group_name, account FROM host_mapping"
                + (group == null ? "" : " WHERE group_name = ?"), HostRepository::row, args);
        list.sort(Comparator.comparing(HostMapping::host));
        return list;
    }

    static void insert(Connection c, HostMapping h) throws SQLException {
        Sql.update(c, "INSERT INTO host_mapping (host, group_name, account) VALUES (?, ?, ?)", h.host(), h.group(), h.account());
    }

    private static HostMapping row(ResultSet rs) throws SQLException {
        return new HostMapping(rs.getString(1), rs.getString(2), rs.getString(3));
    }
}
