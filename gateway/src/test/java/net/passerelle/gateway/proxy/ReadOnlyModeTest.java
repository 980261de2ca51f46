package net.passerelle.gateway.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.config.MaintenanceConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.GatewayFixture;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A group in read-only mode, end to end: every read reaches the backend, no write does, and writers get the notice. */
class ReadOnlyModeTest {
    private static final String HOST = "alice.gallery.example";
    private StubBackend backend;
    private GatewayFixture gateway;

    @BeforeEach
    void start() throws Exception {
        backend = new StubBackend();
        gateway = new GatewayFixture(GatewayConfig.defaults(), table(Mode.READ_ONLY, 1));
    }

    private RoutingTable table(Mode mode, long version) {
        return RoutingTable.builder(version)
                .group(Tables.group("srv-12", mode, WritePolicy.REJECT, backend.address()))
                .host(HOST, "srv-12", "alice").build();
    }

    @AfterEach
    void stop() {
        gateway.close();
        backend.close();
    }

    static String form(String method, String target, String body) {
        return method + " " + target + " HTTP/1.1\r\nHost: " + HOST + "\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    static String multipart(String target, String method, int filler) {
        String b = "----passerelle";
        StringBuilder body = new StringBuilder();
        if (filler > 0) {
            body.append("--").append(b).append("\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n")
                    .append("Content-Type: image/jpeg\r\n\r\n").append("x".repeat(filler)).append("\r\n");
        }
        body.append("--").append(b).append("\r\nContent-Disposition: form-data; name=\"method\"\r\n\r\n")
                .append(method).append("\r\n--").append(b).append("--\r\n");
        return "POST " + target + " HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Type: multipart/form-data; boundary=" + b
                + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    static Stream<Arguments> reads() {
        return Stream.of(
                Arguments.of("home page", "GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"),
                Arguments.of("a photo page", "GET /picture.php?/12/category/3 HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"),
                Arguments.of("OPTIONS", "OPTIONS / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"),
                Arguments.of("ws.php read by GET", "GET /ws.php?format=json&method=pwg.categories.getList HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"),
                Arguments.of("ws.php read by urlencoded POST", form("POST", "/ws.php?format=json", "method=pwg.images.getInfo&image_id=3")),
                Arguments.of("ws.php read by multipart POST", multipart("/ws.php?format=json", "pwg.categories.getImages", 0)),
                Arguments.of("ws.php read in a sub-directory", form("POST", "/gallery/ws.php", "method=pwg.getVersion")),
                Arguments.of("signing in on the login page (signInDuringReadOnly)",
                        form("POST", "/identification.php", "username=a&password=b")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reads")
    void readsAreForwarded(String name, String raw) throws Exception {
        try (RawHttp c = gateway.connect()) {
            assertEquals(200, c.send(raw).read(raw.startsWith("HEAD")).status(), name);
        }
        assertEquals(1, backend.requestCount(), name);
    }

    static Stream<Arguments> writes() {
        return Stream.of(
                Arguments.of("comment POST", form("POST", "/comments.php", "content=hi&key=abc")),
                Arguments.of("favourite over GET", "GET /picture.php?/12&action=add_to_favorites HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"),
                Arguments.of("registration page POST", form("POST", "/register.php", "login=a&password=b")),
                Arguments.of("admin page GET", "GET /admin.php?page=photos_add HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"),
                Arguments.of("ws.php write by GET", "GET /ws.php?method=pwg.images.delete&image_id=1 HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"),
                Arguments.of("ws.php write by urlencoded POST", form("POST", "/ws.php", "method=pwg.images.setInfo&image_id=1")),
                Arguments.of("ws.php unknown method", form("POST", "/ws.php", "method=pwg.images.doesNotExist")),
                Arguments.of("ws.php upload with the method after a 1 MiB file", multipart("/ws.php", "pwg.images.addSimple", 1 << 20)),
                Arguments.of("ws.php read name hidden after the peek limit", multipart("/ws.php", "pwg.getVersion", 8192)),
                Arguments.of("PUT", "PUT /x HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 3\r\n\r\nabc"),
                Arguments.of("DELETE", "DELETE /x HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"),
                Arguments.of("unknown method", "PROPFIND / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"),
                Arguments.of("method override", "GET / HTTP/1.1\r\nHost: " + HOST + "\r\nX-HTTP-Method-Override: DELETE\r\n\r\n"),
                Arguments.of("chunked upload", "POST /ws.php HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n16\r\nmethod=pwg.images.add&\r\n0\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writes")
    void writesGetTheNoticeAndNeverReachTheBackend(String name, String raw) throws Exception {
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response r = c.send(raw).read();
            assertEquals(503, r.status(), name);
            assertNotNull(r.header("retry-after"), name);
            assertEquals("no-store", r.header("cache-control"), name);
        }
        // Proof by order: the next request the backend sees is this marker, nothing before it.
        try (RawHttp c = gateway.connect()) {
            assertEquals(200, c.send("GET /marker HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status());
        }
        assertEquals("/marker", backend.take().uri(), name);
        assertEquals(1, backend.requestCount(), name);
    }

    /**
     * An uploader refused after the peek keeps sending: the gateway must not answer that with a reset, which would
     * destroy the notice before the client reads it (the flaky "Connection reset by peer" CI once saw). It shuts its
     * sending side and drops the rest, so every further write succeeds and the client sees a clean end of stream.
     */
    @Test
    void aRefusedUploaderThatKeepsSendingReadsTheNoticeAndAnOrderlyClose() throws Exception {
        int size = 4 << 20;
        try (RawHttp c = gateway.connect()) {
            c.send("POST /ws.php?method=pwg.images.addSimple HTTP/1.1\r\nHost: " + HOST + "\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: " + size + "\r\n\r\n");
            byte[] chunk = new byte[64 * 1024];
            c.output().write(chunk); // past the peek: the gateway decides and answers while the body still comes
            c.output().flush();
            RawHttp.Response r = c.read();
            assertEquals(503, r.status());
            assertEquals("close", r.header("connection"));
            for (int sent = chunk.length; sent < size; sent += chunk.length) {
                c.output().write(chunk); // a reset would surface here as "Broken pipe" / "Connection reset"
            }
            c.output().flush();
            assertEquals(-1, c.input().read(), "the gateway half-closed after its answer");
        }
        assertEquals(0, backend.requestCount());
    }

    @Test
    void refusedSmallBodiesKeepTheConnection() throws Exception {
        try (RawHttp c = gateway.connect()) {
            assertEquals(503, c.send(form("POST", "/comments.php", "content=hello")).read().status());
            assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status());
        }
    }

    @Test
    void aWriteExpecting100ContinueIsAnsweredWithoutItsBody() throws Exception {
        try (RawHttp c = gateway.connect()) {
            c.send("POST /ws.php?method=pwg.images.addSimple HTTP/1.1\r\nHost: " + HOST + "\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: 100000000\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response r = c.read();
            assertEquals(503, r.status());
            assertEquals("close", r.header("connection"));
            assertTrue(c.isClosedByPeer());
        }
        assertEquals(0, backend.requestCount());
    }

    @Test
    void noticeSpeaksTheVisitorsLanguageAndFormat() throws Exception {
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response html = c.send("POST /comments.php HTTP/1.1\r\nHost: " + HOST + "\r\nAccept: text/html\r\n"
                    + "Accept-Language: fr-CH, fr;q=0.9, en;q=0.8\r\nContent-Length: 0\r\n\r\n").read();
            assertTrue(html.header("content-type").startsWith("text/html"));
            assertEquals("fr", html.header("content-language"));
            assertTrue(html.bodyText().contains("lecture seule"), html.bodyText());
            // No window: no end time is announced (retryAfterCountsDownToTheWindowEnd covers a window).
            assertTrue(!html.bodyText().contains("UTC"), html.bodyText());

            RawHttp.Response piwigo = c.send("GET /ws.php?format=json&method=pwg.images.delete HTTP/1.1\r\nHost: " + HOST
                    + "\r\n\r\n").read();
            JsonNode json = new ObjectMapper().readTree(piwigo.body());
            assertEquals("fail", json.get("stat").asText());
            assertEquals(503, json.get("err").asInt());
            assertTrue(json.get("message").asText().length() > 10);

            RawHttp.Response api = c.send("DELETE /api/x HTTP/1.1\r\nHost: " + HOST + "\r\nAccept: application/json\r\n\r\n").read();
            assertTrue(api.header("content-type").startsWith("application/json"));
        }
    }

    @Test
    void maintenanceForwardsNothingButLetsOpsThrough() throws Exception {
        gateway.close();
        gateway = new GatewayFixture(GatewayConfig.defaults().withMaintenance(
                new MaintenanceConfig(List.of("192.0.2.0/24"), "X-Passerelle-Ops", "s3cret")),
                table(Mode.MAINTENANCE, 1));
        try (RawHttp c = gateway.connect()) {
            assertEquals(503, c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status());
            assertEquals(503, c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\nX-Passerelle-Ops: wrong\r\n\r\n").read().status());
            assertEquals(200, c.send("GET /check HTTP/1.1\r\nHost: " + HOST + "\r\nX-Passerelle-Ops: s3cret\r\n\r\n").read().status());
        }
        StubBackend.Seen seen = backend.take();
        assertEquals("/check", seen.uri());
        assertEquals(null, seen.header("x-passerelle-ops"), "the ops secret must not reach the backend");
        assertEquals(1, backend.requestCount());
    }

    @Test
    void maintenanceAllowsConfiguredNetworks() throws Exception {
        gateway.close();
        gateway = new GatewayFixture(GatewayConfig.defaults().withMaintenance(
                new MaintenanceConfig(List.of("127.0.0.0/8"), null, null)), table(Mode.MAINTENANCE, 1));
        try (RawHttp c = gateway.connect()) {
            assertEquals(200, c.send("POST /comments.php HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 0\r\n\r\n").read().status());
        }
        try (RawHttp c = new RawHttp(gateway.ipv6())) {
            assertEquals(503, c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status());
        }
    }

    @Test
    void aDefaultPageFromTheBackendNeverReachesTheVisitor() throws Exception {
        gateway.routes().swap(table(Mode.OPEN, 2));
        backend.respondWith(StubBackend.html("<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head>"
                + "<body><h1>Welcome to nginx!</h1></body></html>"));
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\nAccept: text/html\r\n\r\n").read();
            assertEquals(502, r.status());
            assertTrue(!r.bodyText().contains("Welcome to nginx"), r.bodyText());
        }
        // gzip-compressed, as Apache's mod_deflate serves its default page
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(("<html><head><title>Apache2 Debian Default Page: It works</title></head><body>"
                    + "x".repeat(3000) + "</body></html>").getBytes(StandardCharsets.UTF_8));
        }
        byte[] body = gz.toByteArray();
        backend.respondWith((ctx, req) -> {
            io.netty.handler.codec.http.FullHttpResponse r = new io.netty.handler.codec.http.DefaultFullHttpResponse(
                    io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpResponseStatus.OK,
                    io.netty.buffer.Unpooled.wrappedBuffer(body));
            r.headers().set("content-type", "text/html; charset=UTF-8").set("content-encoding", "gzip")
                    .setInt("content-length", body.length);
            ctx.writeAndFlush(r);
        });
        try (RawHttp c = gateway.connect()) {
            assertEquals(502, c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\nAccept-Encoding: gzip\r\n\r\n").read().status());
        }
        // and an ordinary gallery page passes untouched
        backend.respondWith(StubBackend.html("<html><title>Alice's photos</title>" + "p".repeat(10000) + "</html>"));
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read();
            assertEquals(200, r.status());
            assertTrue(r.bodyText().startsWith("<html><title>Alice's photos</title>ppp"));
            assertEquals(10000 + 42, r.body().length);
        }
    }

    @Test
    void switchingTakesEffectForEveryRequestWhoseHeadersArriveAfterIt() throws Exception {
        gateway.routes().swap(table(Mode.OPEN, 2));
        int clients = 4;
        int perClient = 150;
        java.util.concurrent.atomic.AtomicBoolean flipped = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CountDownLatch halfway = new java.util.concurrent.CountDownLatch(clients * perClient / 2);
        java.util.concurrent.ConcurrentLinkedQueue<String> problems = new java.util.concurrent.ConcurrentLinkedQueue<>();
        List<Thread> threads = new java.util.ArrayList<>();
        for (int t = 0; t < clients; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try (RawHttp c = gateway.connect()) {
                    for (int i = 0; i < perClient; i++) {
                        boolean after = flipped.get();
                        boolean write = i % 2 == 0;
                        String tag = "c" + id + "-" + i + (after ? "-after" : "-before");
                        String raw = write
                                ? form("POST", "/comments.php?tag=" + tag, "content=x")
                                : "GET /index.php?tag=" + tag + " HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n";
                        int status = c.send(raw).read().status();
                        if (!write && status != 200) {
                            problems.add("read " + tag + " got " + status);
                        }
                        if (write && after && status != 503) {
                            problems.add("write " + tag + " got " + status);
                        }
                        halfway.countDown();
                    }
                } catch (Exception e) {
                    problems.add(e.toString());
                }
            });
            threads.add(th);
            th.start();
        }
        halfway.await();
        gateway.routes().swap(table(Mode.READ_ONLY, 3));
        flipped.set(true);
        for (Thread th : threads) {
            th.join();
        }
        assertTrue(problems.isEmpty(), problems.toString());
        long writesAfter = backend.all().stream()
                .filter(s -> s.method().equals("POST") && s.uri().endsWith("-after")).count();
        assertEquals(0, writesAfter, "a write sent after the switch reached the backend");
        long readsAfter = backend.all().stream().filter(s -> s.method().equals("GET") && s.uri().endsWith("-after")).count();
        assertTrue(readsAfter > 0, "the test must have sent reads after the switch");
    }

    @Test
    void withoutAWindowTheNoticePromisesNoEndTime() throws Exception {
        // Tables.group: read-only with no window, retryAfterSeconds 420.
        String first;
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response r = c.send("DELETE / HTTP/1.1\r\nHost: " + HOST + "\r\nAccept: text/plain\r\n\r\n").read();
            assertEquals(503, r.status());
            assertEquals("420", r.header("retry-after"), "the group's retryAfterSeconds");
            first = r.bodyText();
        }
        assertTrue(!first.contains("UTC") && !first.contains("minutes"), "no end time, nor a delay, is announced: " + first);
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response json = c.send("DELETE / HTTP/1.1\r\nHost: " + HOST + "\r\nAccept: application/json\r\n\r\n").read();
            JsonNode n = new ObjectMapper().readTree(json.bodyText());
            assertTrue(n.path("until").isMissingNode() || n.path("until").isNull(), json.bodyText());
            assertEquals(420, n.get("retryAfterSeconds").asInt());
        }
    }

    @Test
    void gatewayMadeAnswersCarryADate() throws Exception {
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response r = c.send("DELETE / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read();
            String date = r.header("date");
            assertNotNull(date, "a 503 the gateway made itself");
            long at = java.time.ZonedDateTime.parse(date, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toEpochSecond();
            assertTrue(Math.abs(at - java.time.Instant.now().getEpochSecond()) < 120, date);
        }
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response unknown = c.send("GET / HTTP/1.1\r\nHost: nobody.example\r\n\r\n").read();
            assertEquals(404, unknown.status());
            assertNotNull(unknown.header("date"), "the unknown-host page");
        }
    }

    @Test
    void retryAfterCountsDownToTheWindowEnd() throws Exception {
        java.time.Instant end = java.time.Instant.now().plusSeconds(600);
        GroupRoute g = Tables.group("srv-12", Mode.READ_ONLY, WritePolicy.REJECT, backend.address());
        GroupRoute windowed = new GroupRoute(g.name(), g.backends(), g.spares(), Mode.READ_ONLY, WritePolicy.REJECT, end,
                420, Map.of("en", "Moving to a faster server."), "piwigo");
        gateway.routes().swap(RoutingTable.builder(5).group(windowed).host(HOST, "srv-12", "alice").build());
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response r = c.send("DELETE / HTTP/1.1\r\nHost: " + HOST + "\r\nAccept: text/html\r\n\r\n").read();
            long retry = Long.parseLong(r.header("retry-after"));
            assertTrue(retry > 590 && retry <= 600, "Retry-After " + retry);
            assertTrue(r.bodyText().contains("Moving to a faster server."), r.bodyText());
        }
    }
}
