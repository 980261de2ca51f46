package net.passerelle.gateway.control;

import net.passerelle.gateway.Passerelle;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static net.passerelle.gateway.control.ControlPlaneHarness.admin;
import static net.passerelle.gateway.control.ControlPlaneHarness.config;
import static net.passerelle.gateway.control.ControlPlaneHarness.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store goes away under a running gateway (its MariaDB database is dropped): routing goes on with the last
 * table, {@code /readyz} stays ready and says so in its notes, the reachability metric turns 0, and once the lease
 * lapses the read-only fail-safe is in force. A gateway then started without a store (a port that refuses) routes
 * from the snapshot file the first one wrote, read-only.
 */
class StoreOutageTest {
    static final String HOST = "alice.gallery.example";

    @TempDir
    Path dir;
    String db;
    StubBackend backend;

    @BeforeEach
    void start() throws Exception {
        db = ControlPlaneHarness.createMariaDb();
        backend = new StubBackend();
    }

    @AfterEach
    void stop() throws Exception {
        backend.close();
        ControlPlaneHarness.dropMariaDb(db);
    }

    @Test
    void routingSurvivesTheLossOfTheStoreAndARestartWithoutIt() throws Exception {
        Path snapshot = dir.resolve("gw").resolve("routing-snapshot.json");
        try (Passerelle gw = Passerelle.start(config("gw-1", ControlPlaneHarness.mariaDbUrl(db), ControlPlaneHarness.MARIADB_USER,
                ControlPlaneHarness.MARIADB_PASSWORD, dir.resolve("gw"), true))) {
            assertEquals(200, admin(gw, "PUT", "/v1/groups/srv-12", "{\"backends\": [\"" + backend.hostPort() + "\"]}").status());
            var host = admin(gw, "PUT", "/v1/hosts/" + HOST, "{\"group\": \"srv-12\", \"account\": \"alice\"}");
            long version = host.json().get("version").asLong();
            ControlPlaneHarness.await("host applied", Duration.ofSeconds(5), () -> gw.routes().get().version() >= version);
            assertEquals(200, get(gw, HOST).status());
            assertEquals(200, admin(gw, "GET", "/readyz", null).status());
            assertTrue(admin(gw, "GET", "/metrics", null).body().contains("passerelle_store_reachable 1.0"));
            ControlPlaneHarness.await("snapshot written", Duration.ofSeconds(5), () -> Files.exists(snapshot)
                    && readable(snapshot).contains(HOST));

            ControlPlaneHarness.dropMariaDb(db);
            ControlPlaneHarness.await("store reported unreachable", Duration.ofSeconds(10), () -> !gw.storeSync().storeReachable());

            var ready = admin(gw, "GET", "/readyz", null);
            assertEquals(200, ready.status(), "a store outage does not pull the gateway out of the load balancer: " + ready.body());
            assertTrue(ready.json().get("notes").toString().contains("store unreachable"), ready.body());
            String metrics = admin(gw, "GET", "/metrics", null).body();
            assertTrue(metrics.contains("passerelle_store_reachable 0.0"), metrics);
            int seen = backend.requestCount();
            var r = get(gw, HOST);
            assertEquals(200, r.status(), r.bodyText());
            assertEquals(seen + 1, backend.requestCount(), "the request was proxied with the last table");
            assertEquals(503, admin(gw, "GET", "/v1/groups", null).status(), "the API says the store is away");
        }

        // A restart with no store at all: the snapshot routes.
        String unreachable = "jdbc:mariadb://127.0.0.1:1/passerelle";
        try (Passerelle restarted = Passerelle.start(config("gw-1", unreachable, "root", "", dir.resolve("gw"), true))) {
            assertFalse(restarted.storeSync().storeReachable());
            assertEquals(version(snapshot), restarted.routes().get().version());
            int seen = backend.requestCount();
            var r = get(restarted, HOST);
            assertEquals(200, r.status(), r.bodyText());
            assertEquals(seen + 1, backend.requestCount());
            var ready = admin(restarted, "GET", "/readyz", null);
            assertEquals(200, ready.status(), ready.body());
            assertTrue(ready.body().contains("fail-safe"), "without its lease it routes read-only: " + ready.body());
            assertTrue(restarted.storeSync().failSafe());
            assertEquals(200, admin(restarted, "GET", "/healthz", null).status());
        }

        // Without a snapshot (and with an empty seed) the host is unknown: the snapshot was what routed above.
        try (Passerelle bare = Passerelle.start(config("gw-2", "jdbc:mariadb://127.0.0.1:1/passerelle", "root", "",
                dir.resolve("other"), false))) {
            assertEquals(404, get(bare, HOST).status());
        }
    }

    private static String readable(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static long version(Path snapshot) throws Exception {
        return new SnapshotFile(snapshot).read().orElseThrow().version();
    }
}
