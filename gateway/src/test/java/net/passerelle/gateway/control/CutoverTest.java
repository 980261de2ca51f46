package net.passerelle.gateway.control;

import net.passerelle.gateway.Passerelle;
import net.passerelle.gateway.config.SeedHost;
import net.passerelle.gateway.config.SeedGroup;
import net.passerelle.gateway.config.SeedConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.admin.model.HostPort;
import net.passerelle.gateway.e2e.NginxBackend;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static net.passerelle.gateway.control.ControlPlaneHarness.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code POST /v1/groups/{g}/cutover} through the whole process: verified, atomic, and lossless under load. */
class CutoverTest {
    private static final String HOST = "alice.gallery.example";

    @TempDir
    Path dir;
    private StubBackend oldServer;
    private StubBackend newServer;
    private Passerelle gateway;

    @BeforeEach
    void start() throws Exception {
        oldServer = new StubBackend();
        newServer = new StubBackend();
        oldServer.respondWith(StubBackend.html("<html><head><title>Alice's photos</title></head><body>old</body></html>"));
        newServer.respondWith(StubBackend.html("<html><head><title>Alice's photos</title></head><body>new</body></html>"));
        GatewayConfig base = ControlPlaneHarness.config("gw-cutover", "jdbc:h2:file:" + dir.resolve("store"), "", "", dir, true);
        gateway = Passerelle.start(base.withSeed(new SeedConfig(
                Map.of("srv-12", new SeedGroup(List.of(HostPort.parse(oldServer.hostPort())), List.of(),
                        "open", "reject", 300, Map.of(), "piwigo")),
                Map.of(HOST, new SeedHost("srv-12", "alice")))));
    }

    @AfterEach
    void stop() {
        gateway.close();
        oldServer.close();
        newServer.close();
    }

    @Test
    void aCutoverUnderLoadLosesNothingAndEverythingAfterItGoesToTheNewServer() throws Exception {
        int clients = 4;
        AtomicBoolean switched = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch warm = new CountDownLatch(clients * 20);
        AtomicInteger sentAfter = new AtomicInteger();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < clients; t++) {
            Thread th = new Thread(() -> {
                try (RawHttp c = new RawHttp(ControlPlaneHarness.ipv4(gateway))) {
                    int afterCount = 0;
                    while (afterCount < 50) {
                        boolean after = switched.get();
                        RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read();
                        if (r.status() != 200) {
                            problems.add("status " + r.status());
                        } else if (after && !r.bodyText().contains("new")) {
                            problems.add("a request sent after the cutover answered reached the old server");
                        }
                        if (after) {
                            afterCount++;
                            sentAfter.incrementAndGet();
                        }
                        warm.countDown();
                    }
                } catch (Exception e) {
                    problems.add(e.toString());
                }
            });
            threads.add(th);
            th.start();
        }
        warm.await();
        ControlPlaneHarness.Answer answer = admin(gateway, "POST", "/v1/groups/srv-12/cutover",
                "{\"backends\": [\"" + newServer.hostPort() + "\"], \"verify\": true}");
        switched.set(true);
        for (Thread th : threads) {
            th.join();
        }
        stop.set(true);
        assertEquals(200, answer.status(), answer.body());
        assertTrue(answer.json().has("switchedAt"), answer.body());
        assertTrue(problems.isEmpty(), problems.toString());
        assertEquals(clients * 50, sentAfter.get());
        assertTrue(oldServer.requestCount() > 0 && newServer.requestCount() >= clients * 50);
        // Rolling back is a cutover to the old backends.
        assertEquals(200, admin(gateway, "POST", "/v1/groups/srv-12/cutover",
                "{\"backends\": [\"" + oldServer.hostPort() + "\"]}").status());
        try (RawHttp c = new RawHttp(ControlPlaneHarness.ipv4(gateway))) {
            assertTrue(c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().bodyText().contains("old"));
        }
    }

    @Test
    void verificationRefusesARealServerThatShowsItsDefaultPage() throws Exception {
        // nginx from Debian with only its default site: exactly what the new server was on migration day.
        try (NginxBackend nginx = NginxBackend.start(List.of())) {
            String target = "127.0.0.1:" + nginx.ipv4().getPort();
            ControlPlaneHarness.Answer answer = admin(gateway, "POST", "/v1/groups/srv-12/cutover",
                    "{\"backends\": [\"" + target + "\"]}");
            assertEquals(409, answer.status(), answer.body());
            assertTrue(answer.body().contains(HOST), answer.body());
            assertTrue(answer.body().contains(target), answer.body());
            assertTrue(answer.body().toLowerCase().contains("default page"), answer.body());
        }
        // nothing changed
        try (RawHttp c = new RawHttp(ControlPlaneHarness.ipv4(gateway))) {
            assertTrue(c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().bodyText().contains("old"));
        }
        ControlPlaneHarness.Answer group = admin(gateway, "GET", "/v1/groups/srv-12", null);
        assertTrue(group.body().contains(oldServer.hostPort()), group.body());
    }

    @Test
    void opsCanDrainABackendAndSeeItsHealth() throws Exception {
        ControlPlaneHarness.Answer health = admin(gateway, "GET", "/v1/groups/srv-12/health", null);
        assertEquals(200, health.status(), health.body());
        ControlPlaneHarness.Answer drained = admin(gateway, "PUT", "/v1/groups/srv-12/backends/" + oldServer.hostPort() + "/state",
                "{\"state\": \"drain\"}");
        assertEquals(200, drained.status(), drained.body());
        assertEquals("drain", drained.json().get("admin").asText());
        assertEquals(400, admin(gateway, "PUT", "/v1/groups/srv-12/backends/" + oldServer.hostPort() + "/state",
                "{\"state\": \"sleep\"}").status());
        assertEquals(404, admin(gateway, "PUT", "/v1/groups/srv-12/backends/10.9.9.9:1/state",
                "{\"state\": \"maint\"}").status());
    }
}
