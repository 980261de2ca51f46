package net.passerelle.admin.store;

import net.passerelle.admin.model.GatewayStatus;

import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * The fleet's heartbeats: one {@code gateway_status} row per gateway, stamped with the store's clock. Not part
 * of the routing table: heartbeats neither change its version nor are audited.
 */
final class GatewayRepository {
    private static final String UPDATE =
            "UPDATE gateway_status SET applied_version = ?, heartbeat_ms = ?, info = ? WHERE gateway_id = ?";

    private final Transactions tx;
    private final Clock clock;

    GatewayRepository(Transactions tx, Clock clock) {
        this.tx = tx;
        this.clock = clock;
    }

    void heartbeat(String gatewayId, long appliedVersion, String info) {
        if (gatewayId == null || gatewayId.isBlank() || gatewayId.length() > 128) {
            throw new IllegalArgumentException("gateway id must be 1 to 128 characters, not '" + gatewayId + "'");
        }
        String text = info == null || info.length() <= 1000 ? info : info.substring(0, 1000);
        long now = clock.millis();
        tx.run("heartbeat", c -> {
            if (Sql.update(c, UPDATE, appliedVersion, now, text, gatewayId) == 0) {
                try {
                    Sql.update(c, "INSERT INTO gateway_status (gateway_id, applied_version, heartbeat_ms, info) VALUES (?, ?, ?, ?)",
                            gatewayId, appliedVersion, now, text);
                } catch (SQLIntegrityConstraintViolationException e) {
                    Sql.update(c, UPDATE, appliedVersion, now, text, gatewayId); // raced with its own previous heartbeat
                } catch (SQLException e) {
                    if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
                        throw e;
                    }
                    Sql.update(c, UPDATE, appliedVersion, now, text, gatewayId);
                }
            }
            return null;
        });
    }

    /** Every gateway that ever reported, by id. */
    List<GatewayStatus> gateways() {
        return tx.run("gateways", c -> {
            List<GatewayStatus> list = Sql.query(c, "SELECT gateway_id, applied_version, heartbeat_ms, info FROM gateway_status",
                    rs -> new GatewayStatus(rs.getString(1), rs.getLong(2), Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4)));
            list.sort(Comparator.comparing(GatewayStatus::gatewayId));
            return list;
        });
    }

    boolean forgetGateway(String gatewayId) {
        return tx.run("forgetGateway", c -> Sql.update(c, "DELETE FROM gateway_status WHERE gateway_id = ?", gatewayId) > 0);
    }
}
