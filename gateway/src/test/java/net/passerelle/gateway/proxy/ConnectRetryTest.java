package net.passerelle.gateway.proxy;

import net.passerelle.admin.model.HostPort;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.health.BackendHealth;
import net.passerelle.gateway.routing.Backend;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.server.GatewayServer;
import net.passerelle.gateway.testing.Await;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backend that refuses connections while checks still count it in (a failover's first seconds): the request goes
 * to another backend or spare of its group instead of getting a 502. Real sockets; the gateway runs without active
 * checks (a health that only counts what the proxy reports), so nothing but the retry can route around the refusal.
 */
class ConnectRetryTest {
    private static final String HOST = "alice.gallery.example";
    // Nothing listens on port 1 (tcpmux) here: connections there are refused at once. The whole 127/8 is loopback on
    // Linux, so several distinct refusing backends need no free-port guessing.
    private static final Backend REFUSING_1 = refusing("127.0.0.1");
    private static final Backend REFUSING_2 = refusing("127.0.0.2");
    private static final Backend REFUSING_3 = refusing("127.0.0.3");
    private static final Backend REFUSING_4 = refusing("127.0.0.4");

    /** Every backend available, as before checks notice anything; counts the failed connections it is told of. */
    private static final class CountingHealth implements BackendHealth {
        final Map<Backend, AtomicInteger> connectFailures = new ConcurrentHashMap<>();

        @Override
        public void connectFailed(Backend backend) {
            connectFailures.computeIfAbsent(backend, b -> new AtomicInteger()).incrementAndGet();
        }

        int failures(Backend b) {
            AtomicInteger n = connectFailures.get(b);
            return n == null ? 0 : n.get();
        }
    }

    private record Logged(int status, String backend, int connectFailures) {
    }

    private final CountingHealth health = new CountingHealth();
    private final Queue<Logged> accessLog = new ConcurrentLinkedQueue<>();
    private StubBackend live;
    private GatewayServer gateway;

    private static Backend refusing(String ip) {
        return new Backend(ip + ":1", new InetSocketAddress(ip, 1));
    }

    @BeforeEach
    void startBackend() throws InterruptedException {
        live = new StubBackend();
        live.respondWith(StubBackend.text("alice's gallery"));
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        live.close();
    }

    private void start(List<Backend> backends, List<Backend> spares) throws InterruptedException {
        GroupRoute g = new GroupRoute("srv-12", backends, spares, Mode.OPEN, WritePolicy.REJECT, null, 300, Map.of(),
                "piwigo");
        RoutingTable table = RoutingTable.builder(1).group(g).host(HOST, "srv-12", "alice").build();
        GatewayConfig config = GatewayConfig.defaults().withListeners(List.of(HostPort.parse("127.0.0.1:0")));
        ProxyListener listener = r -> accessLog.add(new Logged(r.status(), r.backend() == null ? null : r.backend().name(),
                r.connectFailures()));
        gateway = new GatewayServer(config, new RoutingTableHolder(table), listener).withHealth(health).start();
    }

    private Backend liveBackend() {
        return new Backend(live.hostPort(), live.address());
    }

    private RawHttp connect() throws java.io.IOException {
        return new RawHttp(gateway.boundAddresses().get(0));
    }

    @Test
    void aRefusingBackendBesideALiveOneCostsNoRequestA502() throws Exception {
        start(List.of(REFUSING_1, liveBackend()), List.of());
        int n = 10;
        for (int i = 0; i < n; i++) {
            // A new connection each time: no pooled connection to the live backend hides the refusal.
            try (RawHttp c = connect()) {
                RawHttp.Response r = c.send("GET /?i=" + i + " HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read();
                assertEquals(200, r.status(), "request " + i);
                assertEquals("alice's gallery", r.bodyText());
            }
        }
        assertEquals(n, live.requestCount());
        assertEquals(n / 2, health.failures(REFUSING_1), "round robin sent every other request to the refusing one first");
        Await.until("every access log line", Duration.ofSeconds(5), () -> accessLog.size() == n);
        for (Logged l : accessLog) {
            assertEquals(200, l.status());
            assertEquals(live.hostPort(), l.backend(), "the access log names the backend that answered");
        }
        assertEquals(n / 2, accessLog.stream().filter(l -> l.connectFailures() == 1).count(), accessLog.toString());
    }

    @Test
    void aSpareServesTheVeryFirstRequestWhenTheOnlyBackendRefuses() throws Exception {
        start(List.of(REFUSING_1), List.of(liveBackend()));
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("alice's gallery", r.bodyText());
        }
        assertEquals(1, health.failures(REFUSING_1), "the backend was tried first, and its refusal reported");
        assertEquals(1, live.requestCount());
    }

    @Test
    void aPostIsRetriedAndTheLiveBackendGetsItsWholeBodyOnce() throws Exception {
        start(List.of(REFUSING_1, liveBackend()), List.of());
        String body = "comment=" + "x".repeat(2000);
        for (int i = 0; i < 2; i++) {
            // Two requests: round robin sends one of them to the refusing backend first, whatever the cursor.
            try (RawHttp c = connect()) {
                RawHttp.Response r = c.send("POST /comments.php HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Type: "
                        + "application/x-www-form-urlencoded\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).read();
                assertEquals(200, r.status(), "POST " + i);
            }
        }
        assertEquals(1, health.failures(REFUSING_1));
        List<StubBackend.Seen> seen = live.all();
        assertEquals(2, seen.size(), "each POST reached the live backend exactly once");
        for (StubBackend.Seen s : seen) {
            assertEquals("POST", s.method());
            assertEquals(body, s.body());
        }
    }

    @Test
    void aStreamedBodyWhoseStartWasHeldIsRetriedWhole() throws Exception {
        start(List.of(REFUSING_1, liveBackend()), List.of());
        // Chunked and over limits.bufferRequestBody (64 KiB): the gateway holds the start, connects, then streams the
        // rest. The held parts must reach the live backend once and leak nowhere (PARANOID leak detection).
        byte[] chunk = "0123456789abcdef".repeat(1024).getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        raw.writeBytes(("PUT /upload HTTP/1.1\r\nHost: " + HOST + "\r\nTransfer-Encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 10; i++) {
            raw.writeBytes((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            raw.writeBytes(chunk);
            raw.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            whole.writeBytes(chunk);
        }
        raw.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(whole.toByteArray()));
        for (int i = 0; i < 2; i++) {
            try (RawHttp c = connect()) {
                assertEquals(200, c.send(raw.toByteArray()).read().status(), "upload " + i);
            }
        }
        assertEquals(1, health.failures(REFUSING_1));
        List<StubBackend.Seen> seen = live.all();
        assertEquals(2, seen.size());
        for (StubBackend.Seen s : seen) {
            assertEquals(whole.size(), s.bodyBytes());
            assertEquals(sha, s.bodySha256());
        }
    }

    @Test
    void whenEveryBackendRefusesTheVisitorGetsThe502AfterAtMostThreeDistinctAttempts() throws Exception {
        List<Backend> all = List.of(REFUSING_1, REFUSING_2, REFUSING_3, REFUSING_4);
        start(List.of(REFUSING_1, REFUSING_2), List.of(REFUSING_3, REFUSING_4));
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\nAccept: text/html\r\n\r\n").read();
            assertEquals(502, r.status());
            assertTrue(r.header("content-type").startsWith("text/html"), r.header("content-type"));
        }
        int attempts = 0;
        for (Backend b : all) {
            assertTrue(health.failures(b) <= 1, b + " tried " + health.failures(b) + " times");
            attempts += health.failures(b);
        }
        assertEquals(3, attempts, "three attempts, each to a different backend: " + health.connectFailures);
        assertEquals(2, health.failures(REFUSING_1) + health.failures(REFUSING_2),
                "both backends before any spare: " + health.connectFailures);
        Await.until("the access log line", Duration.ofSeconds(5), () -> !accessLog.isEmpty());
        Logged l = accessLog.peek();
        assertEquals(502, l.status());
        assertEquals(3, l.connectFailures());
        assertTrue(all.stream().anyMatch(b -> b.name().equals(l.backend())), "the last backend tried: " + l);
    }
}
