package net.passerelle.gateway.control;

import net.passerelle.gateway.Passerelle;
import net.passerelle.gateway.testing.FreezableRelay;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static net.passerelle.gateway.control.ControlPlaneHarness.admin;
import static net.passerelle.gateway.control.ControlPlaneHarness.await;
import static net.passerelle.gateway.control.ControlPlaneHarness.config;
import static net.passerelle.gateway.control.ControlPlaneHarness.get;
import static net.passerelle.gateway.control.ControlPlaneHarness.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two gateways on one MariaDB database: gw-a reaches it directly (and serves the admin API), gw-p through a relay
 * the test can freeze (a partition) or take down (the store killed, as gw-p sees it). Every case asserts what visitors
 * get from every gateway right after the API answers, without sleeping: waits are on the gateways' own state.
 */
class FleetFencingTest {
    static final String HOST = "alice.gallery.example";

    @TempDir
    Path dir;
    String db;
    StubBackend backend;
    FreezableRelay relay;
    Passerelle a;
    Passerelle p;

    @BeforeEach
    void start() throws Exception {
        db = ControlPlaneHarness.createMariaDb();
        backend = new StubBackend();
        relay = new FreezableRelay(ControlPlaneHarness.mariaDbServer());
    }

    private void startGateways(String onLeaseLost, Duration grace, boolean bothThroughTheRelay) throws Exception {
        String direct = ControlPlaneHarness.mariaDbUrl(db);
        String via = ControlPlaneHarness.mariaDbUrlVia(relay, db);
        String user = ControlPlaneHarness.MARIADB_USER;
        String password = ControlPlaneHarness.MARIADB_PASSWORD;
        a = Passerelle.start(config("gw-a", bothThroughTheRelay ? via : direct, user, password, dir.resolve("a"), true));
        p = Passerelle.start(ControlPlaneHarness.withLeasePolicy(
                config("gw-p", via, user, password, dir.resolve("p"), true), onLeaseLost, grace));
        var group = admin(a, "PUT", "/v1/groups/srv-12", "{\"backends\": [\"" + backend.hostPort() + "\"]}");
        assertEquals(200, group.status(), group.body());
        var host = admin(a, "PUT", "/v1/hosts/" + HOST, "{\"group\": \"srv-12\", \"account\": \"alice\"}");
        assertEquals(200, host.status(), host.body());
        assertEquals(2, host.json().get("applied").asInt(), host.body());
    }

    @AfterEach
    void stop() throws Exception {
        relay.thaw();
        relay.up();
        for (Passerelle g : new Passerelle[] {p, a}) {
            if (g != null) {
                g.close();
            }
        }
        relay.close();
        backend.close();
        ControlPlaneHarness.dropMariaDb(db);
    }

    @Test
    void aPartitionedGatewayEnforcesTheFailSafeBeforeTheApiAnswers() throws Exception {
        startGateways("read-only", Duration.ofSeconds(10), false);
        assertEquals(200, post(p, HOST).status(), "open before the partition");

        relay.freeze();
        var answer = admin(a, "PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\"}");
        // Right after the answer: no gateway that answers visitors enforces the old mode (open).
        int writes = backend.requestCount();
        assertEquals(503, post(a, HOST).status(), "gw-a applied read-only");
        assertEquals(503, post(p, HOST).status(), "gw-p, cut off from the store, enforces the read-only fail-safe");
        assertEquals(writes, backend.requestCount(), "no write reached the backend");
        assertEquals(200, get(p, HOST).status(), "reads still flow through the partitioned gateway");
        assertEquals(202, answer.status(), answer.body());
        assertEquals(List.of("gw-p"), answer.names("lost"), answer.body());
        assertEquals(List.of(), answer.names("lagging"), answer.body());
        assertEquals(1, answer.json().get("applied").asInt(), answer.body());
        assertEquals(2, answer.json().get("gateways").asInt(), "never dropped from the answer: " + answer.body());

        var ready = admin(p, "GET", "/readyz", null);
        assertEquals(200, ready.status(), "read-only: the fail-safe serves, the gateway stays in the load balancer");
        assertTrue(ready.body().contains("fail-safe"), ready.body());
        var gateways = admin(a, "GET", "/v1/gateways", null);
        assertTrue(gateways.body().contains("\"id\":\"gw-p\",\"state\":\"lost\""), gateways.body());

        relay.thaw();
        long version = answer.json().get("version").asLong();
        await("gw-p holds its lease again with the table in force", Duration.ofSeconds(20),
                () -> !p.storeSync().failSafe() && p.storeSync().appliedVersion() >= version);
        assertEquals(503, post(p, HOST).status(), "read-only, now from the store");
        var open = admin(a, "PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"open\"}");
        assertEquals(200, open.status(), open.body());
        assertEquals(2, open.json().get("applied").asInt(), open.body());
        assertEquals(200, post(p, HOST).status());
        assertEquals(200, post(a, HOST).status());
    }

    @Test
    void aTwoSecondStoreOutageLeavesEveryGatewayReady() throws Exception {
        startGateways("unready", Duration.ofSeconds(10), true);
        relay.down();
        await("both gateways see the store gone", Duration.ofSeconds(10),
                () -> !a.storeSync().storeReachable() && !p.storeSync().storeReachable());
        // The outage lasts two seconds (the scenario, not a wait for something): readiness never flaps meanwhile.
        long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < end) {
            for (Passerelle g : new Passerelle[] {a, p}) {
                var ready = admin(g, "GET", "/readyz", null);
                assertEquals(200, ready.status(), g.gatewayId() + ": " + ready.body());
                assertTrue(ready.body().contains("store unreachable"), "readiness says so: " + ready.body());
                assertEquals(200, get(g, HOST).status(), g.gatewayId());
            }
        }
        relay.up();
        await("both gateways reach the store again", Duration.ofSeconds(20),
                () -> a.storeSync().storeReachable() && p.storeSync().storeReachable()
                        && !a.storeSync().failSafe() && !p.storeSync().failSafe());
        var answer = admin(a, "PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\"}");
        assertEquals(200, answer.status(), answer.body());
        assertEquals(2, answer.json().get("applied").asInt(), answer.body());
        for (Passerelle g : new Passerelle[] {a, p}) {
            assertEquals(503, post(g, HOST).status(), g.gatewayId());
            assertEquals(200, admin(g, "GET", "/readyz", null).status(), g.gatewayId());
        }
    }

    @Test
    void withTheStoreKilledEveryGatewayServesTheFailSafeAndTheApiRefusesChanges() throws Exception {
        startGateways("unready", Duration.ZERO, true);
        relay.down();
        await("both gateways lose their lease", Duration.ofSeconds(20), () -> a.storeSync().failSafe() && p.storeSync().failSafe());
        var refused = admin(a, "PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"maintenance\"}");
        assertEquals(503, refused.status(), refused.body());
        for (Passerelle g : new Passerelle[] {a, p}) {
            assertEquals(503, post(g, HOST).status(), g.gatewayId() + ": writes refused without a lease");
            assertEquals(200, get(g, HOST).status(), g.gatewayId() + ": reads flow");
        }
        // gw-p asked to be taken out of the load balancer once its lease is lost (grace 0); gw-a is read-only only.
        var unready = admin(p, "GET", "/readyz", null);
        assertEquals(503, unready.status(), unready.body());
        assertTrue(unready.body().contains("lease lost"), unready.body());

        relay.up();
        await("both gateways hold their lease again", Duration.ofSeconds(20),
                () -> !a.storeSync().failSafe() && !p.storeSync().failSafe());
        assertEquals(200, admin(p, "GET", "/readyz", null).status());
        assertEquals(200, post(p, HOST).status(), "open again: the change was refused, nothing else changed");
    }
}
