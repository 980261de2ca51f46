package net.passerelle.gateway.control;

import net.passerelle.gateway.Passerelle;
import net.passerelle.gateway.config.SeedHost;
import net.passerelle.gateway.config.SeedGroup;
import net.passerelle.gateway.config.SeedConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.admin.model.HostPort;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static net.passerelle.gateway.control.ControlPlaneHarness.admin;
import static net.passerelle.gateway.control.ControlPlaneHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The migration morning with {@code writes: queue}, through the whole process: writes are queued and acknowledged,
 * ops see them (without their secrets), and opening the group replays each exactly once, in order, with its key.
 */
class QueueAndReplayTest {
    private static final String HOST = "alice.gallery.example";

    @TempDir
    Path dir;
    private StubBackend backend;
    private Passerelle gateway;

    @BeforeEach
    void start() throws Exception {
        backend = new StubBackend();
        GatewayConfig base = ControlPlaneHarness.config("gw-queue", "jdbc:h2:file:" + dir.resolve("store"), "", "", dir, true);
        GatewayConfig config = base.withSeed(new SeedConfig(
                Map.of("srv-12", new SeedGroup(List.of(HostPort.parse(backend.hostPort())), List.of(),
                        "read-only", "queue", 600, Map.of(), "piwigo")),
                Map.of(HOST, new SeedHost("srv-12", "alice"))));
        gateway = Passerelle.start(config);
    }

    @AfterEach
    void stop() {
        gateway.close();
        backend.close();
    }

    @Test
    void queuedWritesAreShownToOpsAndReplayedInOrderWhenTheGroupOpens() throws Exception {
        List<String> refs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            try (RawHttp c = new RawHttp(ControlPlaneHarness.ipv4(gateway))) {
                RawHttp.Response r = c.send("POST /comments.php?n=" + i + " HTTP/1.1\r\nHost: " + HOST + "\r\n"
                        + "Cookie: pwg_id=very-secret\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                        + "Content-Length: 9\r\n\r\ncontent=" + i).read();
                assertEquals(202, r.status());
                refs.add(r.header("x-passerelle-reference"));
            }
        }
        assertEquals(0, writesSeen(), "queued writes must not reach the backend before the group opens");

        ControlPlaneHarness.Answer spool = admin(gateway, "GET", "/v1/groups/srv-12/spool", null);
        assertEquals(200, spool.status());
        assertEquals(5, spool.json().get("count").asInt());
        assertEquals("/comments.php", spool.json().get("entries").get(0).get("path").asText());
        assertFalse(spool.body().contains("very-secret"), "the spool view must not show cookies");
        assertFalse(spool.body().contains("n=0"), "the spool view must not show query strings");

        // Still read-only: replaying now would deliver writes to a server the fleet still protects from them.
        ControlPlaneHarness.Answer early = admin(gateway, "POST", "/v1/groups/srv-12/spool/replay", null);
        assertEquals(409, early.status(), early.body());
        assertTrue(early.body().contains("force"), early.body());
        assertEquals(409, admin(gateway, "POST", "/v1/groups/srv-12/spool/replay", "{\"force\": false}").status());
        assertEquals(0, writesSeen(), "a refused replay delivers nothing");

        ControlPlaneHarness.Answer opened = admin(gateway, "PUT", "/v1/groups/srv-12/mode", "{\"mode\":\"open\"}");
        assertEquals(200, opened.status(), opened.body());
        await("five replayed writes", Duration.ofSeconds(20), () -> writesSeen() >= 5);
        List<StubBackend.Seen> seen = writes();
        assertEquals(5, seen.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(refs.get(i), seen.get(i).header("idempotency-key"), "order and key of entry " + i);
            assertEquals("content=" + i, seen.get(i).body());
        }
        await("the spool to be empty", Duration.ofSeconds(10),
                () -> {
                    try {
                        return admin(gateway, "GET", "/v1/groups/srv-12/spool", null).json().get("count").asInt() == 0;
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
        assertEquals(5, writesSeen(), "each write is delivered once");
    }

    /** What reached the backend apart from its health checks (GET). */
    private List<StubBackend.Seen> writes() {
        return backend.all().stream().filter(s -> !s.method().equals("GET")).toList();
    }

    private int writesSeen() {
        return writes().size();
    }

    @Test
    void aForcedReplayDeliversWhileTheGroupIsReadOnly() throws Exception {
        try (RawHttp c = new RawHttp(ControlPlaneHarness.ipv4(gateway))) {
            assertEquals(202, c.send("DELETE /photo/1 HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status());
        }
        ControlPlaneHarness.Answer forced = admin(gateway, "POST", "/v1/groups/srv-12/spool/replay", "{\"force\": true}");
        assertEquals(202, forced.status(), forced.body());
        await("the forced replay", Duration.ofSeconds(20), () -> writesSeen() >= 1);
        assertEquals("read-only", gateway.routes().get().group("srv-12").mode().wireName());
    }

    @Test
    void opsCanDiscardAQueuedWriteWithAnAuditEntry() throws Exception {
        String ref;
        try (RawHttp c = new RawHttp(ControlPlaneHarness.ipv4(gateway))) {
            ref = c.send("DELETE /photo/1 HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().header("x-passerelle-reference");
        }
        ControlPlaneHarness.Answer discarded = admin(gateway, "DELETE", "/v1/groups/srv-12/spool/" + ref, null);
        assertEquals(200, discarded.status(), discarded.body());
        ControlPlaneHarness.Answer audit = admin(gateway, "GET", "/v1/audit", null);
        assertTrue(audit.body().contains("spool.discard"), audit.body());
        assertEquals(404, admin(gateway, "DELETE", "/v1/groups/srv-12/spool/" + ref + "x", null).status());
        assertEquals(404, admin(gateway, "GET", "/v1/groups/nope/spool", null).status());
    }
}
