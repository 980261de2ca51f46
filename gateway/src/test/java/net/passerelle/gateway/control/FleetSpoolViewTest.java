package net.passerelle.gateway.control;

import com.fasterxml.jackson.databind.JsonNode;
import net.passerelle.gateway.Passerelle;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static net.passerelle.gateway.control.ControlPlaneHarness.admin;
import static net.passerelle.gateway.control.ControlPlaneHarness.config;
import static net.passerelle.gateway.control.ControlPlaneHarness.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each gateway spools to its own disk. Found on the walkthrough: asked through gw-a, GET /v1/groups/srv-12/spool
 * (and so 'ctl status') said 0 queued while gw-b held a queued write of the group. The view now says whose spool it
 * is and what the other live gateways hold.
 */
class FleetSpoolViewTest {
    static final String HOST = "alice.gallery.example";

    @TempDir
    Path dir;
    String db;
    StubBackend backend;
    Passerelle a;
    Passerelle b;

    @BeforeEach
    void start() throws Exception {
        db = ControlPlaneHarness.createMariaDb();
        backend = new StubBackend();
        String url = ControlPlaneHarness.mariaDbUrl(db);
        a = Passerelle.start(config("gw-a", url, ControlPlaneHarness.MARIADB_USER, ControlPlaneHarness.MARIADB_PASSWORD,
                dir.resolve("a"), true));
        b = Passerelle.start(config("gw-b", url, ControlPlaneHarness.MARIADB_USER, ControlPlaneHarness.MARIADB_PASSWORD,
                dir.resolve("b"), false));
    }

    @AfterEach
    void stop() throws Exception {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
        backend.close();
        ControlPlaneHarness.dropMariaDb(db);
    }

    @Test
    void theSpoolViewNamesItsGatewayAndWhatTheOthersHold() throws Exception {
        assertEquals(200, admin(a, "PUT", "/v1/groups/srv-12", "{\"backends\": [\"" + backend.hostPort() + "\"]}").status());
        assertEquals(200, admin(a, "PUT", "/v1/hosts/" + HOST, "{\"group\": \"srv-12\", \"account\": \"alice\"}").status());
        var mode = admin(a, "PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\", \"writes\": \"queue\"}");
        assertEquals(2, mode.json().get("applied").asInt(), mode.body());
        assertEquals(202, post(b, HOST).status(), "queued on gw-b's disk");

        JsonNode view = awaitElsewhere(a, "gw-b");
        assertEquals("gw-a", view.get("gateway").asText(), view.toString());
        assertEquals(0, view.get("count").asInt(), "gw-a's own spool is empty: " + view);
        assertEquals(1, view.get("waitingElsewhere").get("gw-b").asInt(), view.toString());
        assertTrue(view.get("waitingElsewhere").path("gw-a").isMissingNode(), "a gateway is not 'elsewhere' to itself");
    }

    /** gw-b publishes its spool with its next heartbeat (store.pollInterval): wait for it, with a deadline. */
    private static JsonNode awaitElsewhere(Passerelle admin, String gateway) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            var answer = admin(admin, "GET", "/v1/groups/srv-12/spool", null);
            assertEquals(200, answer.status(), answer.body());
            if (answer.json().path("waitingElsewhere").has(gateway) || System.nanoTime() > deadline) {
                return answer.json();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
