package net.passerelle.admin.store;

import net.passerelle.admin.model.FleetView;
import net.passerelle.admin.model.GatewayStatus;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * The fleet's heartbeats and leases: one {@code gateway_status} row per gateway. Not part of the routing table:
 * heartbeats neither change its version nor are audited.
 *
 * <p>A lease is stamped with the database's clock ({@code nowSql}) and {@link #fleet()} reads that clock before the
 * rows, so every lease is judged by the one clock that also stamped it. A heartbeat without a lease (a gateway
 * older than leases) is stamped with the writer's clock, as it always was.
 */
final class GatewayRepository {
    private static final String COLUMNS = "gateway_id, applied_version, heartbeat_ms, info, lease_ms, lease_until_ms";

    private final Transactions tx;
    private final Clock clock;
    private final String nowSql;

    /** @param nowSql a query whose one value is the database's clock in epoch milliseconds */
    GatewayRepository(Transactions tx, Clock clock, String nowSql) {
        this.tx = tx;
        this.clock = clock;
        this.nowSql = nowSql;
    }

    void heartbeat(String gatewayId, long appliedVersion, String info) {
        requireId(gatewayId);
        long now = clock.millis();
        tx.run("heartbeat", c -> {
            upsert(c, gatewayId, appliedVersion, now, clip(info), null, null);
            return null;
        });
    }

    void renewLease(String gatewayId, long appliedVersion, String info, Duration lease) {
        requireId(gatewayId);
        if (lease == null || lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("a lease must be positive, not " + lease);
        }
        tx.run("renewLease", c -> {
            long now = storeNow(c);
            upsert(c, gatewayId, appliedVersion, now, clip(info), lease.toMillis(), now + lease.toMillis());
            return null;
        });
    }

    void releaseLease(String gatewayId) {
        tx.run("releaseLease", c -> Sql.update(c,
                "UPDATE gateway_status SET lease_until_ms = 0 WHERE gateway_id = ? AND lease_until_ms IS NOT NULL", gatewayId));
    }

    /** Every gateway that reported and is not forgotten, by id. */
    List<GatewayStatus> gateways() {
        return tx.run("gateways", GatewayRepository::readAll);
    }

    FleetView fleet() {
        return tx.run("fleet", c -> {
            Instant now = Instant.ofEpochMilli(storeNow(c));
            return new FleetView(now, readAll(c));
        });
    }

    /**
     * Forgets the gateways whose lease ended (released or run out) and whose last heartbeat is older than
     * {@code quiet}, both by the store's clock; returns their ids. A gateway that comes back heartbeats itself in again.
     */
    List<String> forgetStopped(Duration quiet) {
        return tx.run("forgetStopped", c -> {
            long cutoff = storeNow(c) - quiet.toMillis();
            String stopped = " FROM gateway_status"
                    + " WHERE lease_until_ms IS NOT NULL AND lease_until_ms < ? AND heartbeat_ms < ?";
            List<String> ids = Sql.query(c, "SELECT gateway_id" + stopped, rs -> rs.getString(1), cutoff, cutoff);
            if (!ids.isEmpty()) {
                Sql.update(c, "DELETE" + stopped, cutoff, cutoff);
            }
            return ids;
        });
    }

    boolean forgetGateway(String gatewayId) {
        return tx.run("forgetGateway", c -> Sql.update(c, "DELETE FROM gateway_status WHERE gateway_id = ?", gatewayId) > 0);
    }

    /** Updates the row, or inserts it; a null {@code leaseMs} writes a heartbeat without a lease. */
    private static void upsert(Connection c, String id, long version, long now, String info, Long leaseMs, Long until)
            throws SQLException {
        String update = "UPDATE gateway_status SET applied_version = ?, heartbeat_ms = ?, info = ?, "
                + (leaseMs == null ? "lease_ms = NULL, lease_until_ms = NULL" : "lease_ms = " + leaseMs + ", lease_until_ms = " + until)
                + " WHERE gateway_id = ?";
        if (Sql.update(c, update, version, now, info, id) > 0) {
            return;
        }
        try {
            Sql.update(c, "INSERT INTO gateway_status (" + COLUMNS + ") VALUES (?, ?, ?, ?, "
                    + (leaseMs == null ? "NULL, NULL" : leaseMs + ", " + until) + ")", id, version, now, info);
        } catch (SQLException e) {
            if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
                throw e;
            }
            Sql.update(c, update, version, now, info, id); // raced with its own previous heartbeat
        }
    }

    private long storeNow(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(nowSql); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("the database did not tell its time");
            }
            return rs.getLong(1);
        }
    }

    private static List<GatewayStatus> readAll(Connection c) throws SQLException {
        List<GatewayStatus> list = Sql.query(c, "SELECT " + COLUMNS + " FROM gateway_status", rs -> {
            long leaseMs = rs.getLong(5);
            Duration lease = rs.wasNull() ? null : Duration.ofMillis(leaseMs);
            long until = rs.getLong(6);
            Instant leaseUntil = rs.wasNull() ? null : Instant.ofEpochMilli(until);
            return new GatewayStatus(rs.getString(1), rs.getLong(2), Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4),
                    leaseUntil, lease);
        });
        list.sort(Comparator.comparing(GatewayStatus::gatewayId));
        return list;
    }

    private static void requireId(String gatewayId) {
        if (gatewayId == null || gatewayId.isBlank() || gatewayId.length() > 128) {
            throw new IllegalArgumentException("gateway id must be 1 to 128 characters, not '" + gatewayId + "'");
        }
    }

    private static String clip(String info) {
        return info == null || info.length() <= 1000 ? info : info.substring(0, 1000);
    }
}
