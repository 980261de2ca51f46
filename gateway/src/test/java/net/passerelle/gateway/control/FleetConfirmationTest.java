package net.passerelle.gateway.control;

import com.fasterxml.jackson.databind.JsonNode;
import net.passerelle.admin.model.Mode;
import net.passerelle.gateway.Passerelle;
import net.passerelle.gateway.testing.Await;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static net.passerelle.gateway.control.ControlPlaneHarness.admin;
import static net.passerelle.gateway.control.ControlPlaneHarness.config;
import static net.passerelle.gateway.control.ControlPlaneHarness.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two gateways on one MariaDB database, a stub backend, and the admin API of the first: every mode change answered
 * {@code 200} is in force on both gateways at the moment of the answer, checked with real writes and no sleep.
 */
class FleetConfirmationTest {
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
        a = Passerelle.start(config("gw-a", url, ControlPlaneHarness.MARIADB_USER, ControlPlaneHarness.MARIADB_PASSWORD, dir.resolve("a"), true));
        b = Passerelle.start(config("gw-b", url, ControlPlaneHarness.MARIADB_USER, ControlPlaneHarness.MARIADB_PASSWORD, dir.resolve("b"), false));
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
    void everyModeAnswerMeansBothGatewaysEnforceIt() throws Exception {
        var group = admin(a, "PUT", "/v1/groups/srv-12", "{\"backends\": [\"" + backend.hostPort() + "\"]}");
        assertEquals(200, group.status(), group.body());
        assertEquals(2, group.json().get("gateways").asInt(), group.body());
        var host = admin(a, "PUT", "/v1/hosts/" + HOST, "{\"group\": \"srv-12\", \"account\": \"alice\"}");
        assertEquals(200, host.status(), host.body());
        // A host mapping is confirmed by the fleet too: both gateways route it at the answer.
        assertEquals(2, host.json().get("applied").asInt(), host.body());
        assertEquals(200, post(a, HOST).status());
        assertEquals(200, post(b, HOST).status());

        for (int i = 0; i < 20; i++) {
            boolean readOnly = i % 2 == 0;
            var answer = admin(a, "PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"" + (readOnly ? "read-only" : "open") + "\"}");
            assertEquals(200, answer.status(), answer.body());
            assertEquals(2, answer.json().get("applied").asInt(), answer.body());
            assertEquals(2, answer.json().get("gateways").asInt(), answer.body());
            Mode expected = readOnly ? Mode.READ_ONLY : Mode.OPEN;
            for (Passerelle p : new Passerelle[] {a, b}) {
                assertEquals(expected, p.routes().get().group("srv-12").mode(), p.gatewayId() + " round " + i);
                int before = backend.requestCount();
                RawHttp.Response r = post(p, HOST);
                if (readOnly) {
                    assertEquals(503, r.status(), p.gatewayId() + " round " + i + ": " + r.bodyText());
                    assertEquals(before, backend.requestCount(), "no write reached the backend in read-only");
                } else {
                    assertEquals(200, r.status(), p.gatewayId() + " round " + i + ": " + r.bodyText());
                }
            }
        }
    }

    @Test
    void aBackendDrainedThroughOneGatewayIsDrainedOnEvery() throws Exception {
        assertEquals(200, admin(a, "PUT", "/v1/groups/srv-12", "{\"backends\": [\"" + backend.hostPort() + "\"]}").status());
        var drained = admin(a, "PUT", "/v1/groups/srv-12/backends/" + backend.hostPort() + "/state", "{\"state\": \"drain\"}");
        assertEquals(200, drained.status(), drained.body());
        assertEquals(2, drained.json().get("applied").asInt(), drained.body());
        for (Passerelle p : new Passerelle[] {a, b}) {
            assertEquals("drain", p.health().snapshot().get(backend.hostPort()).admin(), p.gatewayId());
        }
        var ready = admin(a, "PUT", "/v1/groups/srv-12/backends/" + backend.hostPort() + "/state", "{\"state\": \"ready\"}");
        assertEquals(200, ready.status(), ready.body());
        for (Passerelle p : new Passerelle[] {a, b}) {
            assertEquals("ready", p.health().snapshot().get(backend.hostPort()).admin(), p.gatewayId());
        }
        var audit = admin(a, "GET", "/v1/audit?limit=2", null);
        assertTrue(audit.body().contains("backend.state"), audit.body());
    }

    @Test
    void aGatewayThatStoppedReleasesItsLeaseAndIsNotWaitedFor() throws Exception {
        assertEquals(200, admin(a, "PUT", "/v1/groups/srv-12", "{\"backends\": [\"" + backend.hostPort() + "\"]}").status());
        var gateways = admin(a, "GET", "/v1/gateways", null);
        assertEquals(200, gateways.status());
        assertEquals(2, gateways.json().get("gateways").size(), gateways.body());
        for (var g : gateways.json().get("gateways")) {
            assertEquals("up-to-date", g.get("state").asText(), gateways.body());
            assertTrue(g.get("lease").get("valid").asBoolean(), gateways.body());
        }
        b.close();
        b = null;
        // No waiting for a lease to end: gw-b released it as it stopped, so the very next change is not waited for
        // gw-b, and says so by counting one gateway.
        var answer = admin(a, "PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"maintenance\"}");
        assertEquals(200, answer.status(), answer.body());
        assertEquals(1, answer.json().get("gateways").asInt(), answer.body());
        var after = admin(a, "GET", "/v1/gateways", null);
        assertTrue(after.body().contains("\"id\":\"gw-b\",\"state\":\"stopped\""), after.body());
    }

    /**
     * Each gateway spools to its own disk. Found on a walkthrough: asked through gw-a, GET /v1/groups/srv-12/spool
     * (and so 'ctl status') said 0 queued while gw-b held a queued write of the group. The view now says whose spool
     * it is and what the other live gateways hold.
     */
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

    /** gw-b publishes its spool with its next heartbeat (store.pollInterval): wait for it. */
    private static JsonNode awaitElsewhere(Passerelle admin, String gateway) {
        JsonNode[] view = new JsonNode[1];
        Await.until(gateway + " in waitingElsewhere", Duration.ofSeconds(10), () -> {
            try {
                var answer = admin(admin, "GET", "/v1/groups/srv-12/spool", null);
                assertEquals(200, answer.status(), answer.body());
                view[0] = answer.json();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return view[0].path("waitingElsewhere").has(gateway);
        }, () -> ": " + view[0]);
        return view[0];
    }
}
