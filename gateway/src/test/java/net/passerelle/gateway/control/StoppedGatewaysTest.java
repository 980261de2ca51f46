package net.passerelle.gateway.control;

import com.fasterxml.jackson.databind.JsonNode;
import net.passerelle.gateway.Passerelle;
import net.passerelle.testing.MariaDbDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static net.passerelle.gateway.control.ControlPlaneHarness.admin;
import static net.passerelle.gateway.control.ControlPlaneHarness.await;
import static net.passerelle.gateway.control.ControlPlaneHarness.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With the default gateway id every restart registers a new gateway. A gateway drops the ones stopped and silent for
 * a week from the fleet's list, and keeps the ones stopped more recently: the list no longer grows with every deploy.
 */
class StoppedGatewaysTest {
    @TempDir
    Path dir;
    String db;
    Passerelle gateway;

    @BeforeEach
    void start() throws Exception {
        db = ControlPlaneHarness.createMariaDb();
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        ControlPlaneHarness.dropMariaDb(db);
    }

    @Test
    void aGatewayStoppedForOverAWeekIsForgottenOneStoppedTodayIsKept() throws Exception {
        String url = ControlPlaneHarness.mariaDbUrl(db);
        // A first gateway creates the schema and stops: its lease is released, today.
        Passerelle.start(config("gw-today", url, MariaDbDatabases.USER, MariaDbDatabases.PASSWORD, dir.resolve("t"), false)).close();
        long eightDaysAgo = System.currentTimeMillis() - Duration.ofDays(8).toMillis();
        try (Connection c = DriverManager.getConnection(url, MariaDbDatabases.USER, MariaDbDatabases.PASSWORD);
             PreparedStatement ps = c.prepareStatement("INSERT INTO gateway_status (gateway_id, applied_version, heartbeat_ms,"
                     + " info, lease_ms, lease_until_ms) VALUES (?, 0, ?, NULL, 4000, 0)")) {
            ps.setString(1, "gw-last-week");
            ps.setLong(2, eightDaysAgo);
            ps.executeUpdate();
        }

        gateway = Passerelle.start(config("gw-now", url, MariaDbDatabases.USER, MariaDbDatabases.PASSWORD, dir.resolve("n"), true));

        await("the gateway stopped a week ago forgotten", Duration.ofSeconds(20), () -> !listed().contains("gw-last-week"));
        List<String> listed = listed();
        assertTrue(listed.contains("gw-today"), listed.toString());
        assertTrue(listed.contains("gw-now"), listed.toString());
        assertEquals(2, listed.size(), listed.toString());
    }

    private List<String> listed() {
        try {
            var answer = admin(gateway, "GET", "/v1/gateways", null);
            List<String> ids = new ArrayList<>();
            for (JsonNode g : answer.json().get("gateways")) {
                ids.add(g.get("id").asText());
            }
            return ids;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
