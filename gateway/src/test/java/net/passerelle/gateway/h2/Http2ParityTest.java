package net.passerelle.gateway.h2;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import net.passerelle.admin.model.HostPort;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.config.SpoolConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.config.Http2Config;
import net.passerelle.gateway.proxy.ProxyListener;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.server.GatewayServer;
import net.passerelle.gateway.spool.Spool;
import net.passerelle.gateway.spool.SpoolSettings;
import net.passerelle.gateway.testing.H2Client;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * HTTP/1.1 and HTTP/2 behave the same: one table of requests (reads, Piwigo writes in read-only, an unknown host, a
 * queued write, …), each sent over HTTP/1.1 and over h2 to the same gateway. For every request the two answers are
 * the same (status, headers that matter, body), and so is what the backend saw (method, target, Host, forwarding
 * headers, framing, body) and whether it was asked at all; only {@code Via} names the protocol received.
 */
class Http2ParityTest {
    private static final String ALICE = "alice.gallery.example";
    private static final String RO = "ro.gallery.example";
    private static final String QUEUED = "queued.gallery.example";

    @TempDir
    static Path dir;
    private static StubBackend backend;
    private static Spool spool;
    private static GatewayServer server;

    @BeforeAll
    static void start() throws Exception {
        backend = new StubBackend();
        backend.respondWith(Http2ParityTest::answer);
        spool = Spool.open(SpoolSettings.from(new SpoolConfig(dir.resolve("spool").toString())));
        RoutingTable table = RoutingTable.builder(1)
                .group(Tables.open("srv-12", backend.address()))
                .group(Tables.group("srv-13", Mode.READ_ONLY, WritePolicy.REJECT, backend.address()))
                .group(Tables.group("srv-14", Mode.READ_ONLY, WritePolicy.QUEUE, backend.address()))
                .host(ALICE, "srv-12", "alice")
                .host(RO, "srv-13", "ro")
                .host(QUEUED, "srv-14", "queued")
                .build();
        GatewayConfig config = GatewayConfig.defaults().withListeners(List.of(HostPort.parse("127.0.0.1:0")))
                .withHttp2(Http2Config.defaults().withCleartext(true));
        server = new GatewayServer(config, new RoutingTableHolder(table), ProxyListener.NOOP, spool).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (spool != null) {
            spool.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    /** The backend describes what it received; /welcome answers with a web server's default page. */
    private static void answer(io.netty.channel.ChannelHandlerContext ctx, StubBackend.Seen s) {
        if (s.uri().startsWith("/welcome")) {
            StubBackend.html("<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body>Welcome to nginx!</body></html>")
                    .respond(ctx, s);
            return;
        }
        String via = s.header("via");
        String text = String.join("\n", s.method(), s.uri(), "host=" + s.header("host"),
                "xff=" + s.header("x-forwarded-for"), "forwarded=" + s.header("forwarded"),
                "xfproto=" + s.header("x-forwarded-proto"), "xfhost=" + s.header("x-forwarded-host"),
                "via=" + (via == null ? null : via.replaceFirst("^(1\\.1|2) ", "<protocol> ")),
                "cl=" + s.header("content-length"), "te=" + s.header("transfer-encoding"),
                "cookie=" + s.header("cookie"), "connection=" + s.header("connection"),
                "extension=" + s.headers().names().stream().filter(n -> n.startsWith("x-http2")).toList(),
                "bytes=" + s.bodyBytes(), "sha=" + s.bodySha256());
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set("x-via-received", String.valueOf(via))
                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        ctx.writeAndFlush(r);
    }

    /**
     * A request: method, host, target, headers, body (null: none); {@code streamed}: a body of unknown length
     * (chunked over HTTP/1.1, DATA without content-length over h2).
     */
    private record Case(String name, String method, String host, String path, Map<String, String> headers, String body,
                        boolean streamed, int status, boolean forwarded) {
    }

    private static Case c(String name, String method, String host, String path, String body, int status, boolean forwarded,
                          String... headers) {
        Map<String, String> h = new LinkedHashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            h.put(headers[i], headers[i + 1]);
        }
        return new Case(name, method, host, path, h, body, false, status, forwarded);
    }

    static List<Case> cases() {
        String form = "application/x-www-form-urlencoded";
        return List.of(
                c("GET of a gallery page", "GET", ALICE, "/index.php?/category/3", null, 200, true, "cookie", "pwg_id=abc"),
                c("HEAD", "HEAD", ALICE, "/picture.php?/12", null, 200, true),
                c("te: trailers", "GET", ALICE, "/", null, 200, true, "te", "trailers"),
                c("POST of a comment to an open group", "POST", ALICE, "/comments.php", "content=bonjour", 200, true,
                        "content-type", form),
                new Case("upload of unknown length", "PUT", ALICE, "/upload", Map.of(), "x".repeat(100_000), true, 200, true),
                c("client-supplied forwarding headers", "GET", ALICE, "/", null, 200, true,
                        "x-forwarded-for", "6.6.6.6", "forwarded", "for=6.6.6.6", "x-forwarded-host", "evil.example"),
                c("read in a read-only group", "GET", RO, "/picture.php?/12", null, 200, true),
                c("Piwigo read by POST in a read-only group (body peeked)", "POST", RO, "/ws.php?format=json",
                        "method=pwg.categories.getList", 200, true, "content-type", form),
                c("Piwigo write by POST in a read-only group (body peeked)", "POST", RO, "/ws.php?format=json",
                        "method=pwg.images.setInfo&image_id=1&name=x", 503, false, "content-type", form),
                c("Piwigo write by GET in a read-only group", "GET", RO, "/ws.php?format=json&method=pwg.images.delete&image_id=1",
                        null, 503, false),
                c("comment in a read-only group, in French", "POST", RO, "/comments.php", "content=x", 503, false,
                        "content-type", form, "accept", "text/html", "accept-language", "fr"),
                c("favourite by GET in a read-only group", "GET", RO, "/picture.php?/12&action=add_to_favorites", null, 503, false),
                c("queued write", "POST", QUEUED, "/comments.php", "content=queued", 202, false, "content-type", form),
                c("unknown host", "GET", "mallory.example", "/", null, 404, false),
                c("unknown host, JSON", "GET", "mallory.example", "/ws.php", null, 404, false, "accept", "application/json"),
                c("TRACE", "TRACE", ALICE, "/", null, 405, false),
                c("default page from the backend", "GET", ALICE, "/welcome", null, 502, true, "accept", "text/html"));
    }

    @TestFactory
    Stream<DynamicTest> everyRequestIsAnsweredAlikeOverHttp11AndH2() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Map<String, String> answers = new LinkedHashMap<>();
            for (boolean h2 : List.of(false, true)) {
                String protocol = h2 ? "h2" : "HTTP/1.1";
                int before = backend.requestCount();
                int queuedBefore = spool.summary("srv-14").waiting();
                Answer a = h2 ? overH2(c) : overHttp11(c);
                assertEquals(c.status(), a.status(), protocol + ": " + a.body());
                assertEquals(c.forwarded() ? 1 : 0, backend.requestCount() - before, protocol + ": requests the backend saw");
                assertEquals(c.status() == 202 ? 1 : 0, spool.summary("srv-14").waiting() - queuedBefore, protocol + ": queued");
                if (c.forwarded() && c.status() == 200) {
                    assertEquals(h2 ? "2 passerelle" : "1.1 passerelle", a.header("x-via-received"), protocol);
                }
                answers.put(protocol, a.normalised());
            }
            assertEquals(answers.get("HTTP/1.1"), answers.get("h2"));
        }));
    }

    private record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }

        /** What must be equal; the request id, a queued write's reference and a notice's clock times are masked. */
        String normalised() {
            String b = body;
            for (String h : List.of("x-request-id", "x-passerelle-reference")) {
                if (headers.get(h) != null) {
                    b = b.replace(headers.get(h), "<" + h + ">");
                }
            }
            if (status >= 500 || status == 202) {
                b = b.replaceAll("\\d", "#");
            }
            StringBuilder sb = new StringBuilder().append(status).append('\n');
            for (String h : List.of("content-type", "content-language", "cache-control", "retry-after", "via",
                    "content-length")) {
                sb.append(h).append(": ").append(status >= 500 && h.equals("content-length") ? "-" : headers.get(h)).append('\n');
            }
            sb.append("reference: ").append(headers.get("x-passerelle-reference") != null).append('\n');
            return sb.append(b).toString();
        }
    }

    private static InetSocketAddress gateway() {
        return server.boundAddresses().get(0);
    }

    private static Answer overHttp11(Case c) throws Exception {
        StringBuilder req = new StringBuilder(c.method()).append(' ').append(c.path()).append(" HTTP/1.1\r\n")
                .append("Host: ").append(c.host()).append("\r\n");
        c.headers().forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        if (c.body() != null && c.streamed()) {
            req.append("Transfer-Encoding: chunked\r\n\r\n").append(Integer.toHexString(c.body().length())).append("\r\n")
                    .append(c.body()).append("\r\n0\r\n\r\n");
        } else if (c.body() != null) {
            req.append("Content-Length: ").append(c.body().getBytes(StandardCharsets.UTF_8).length).append("\r\n\r\n")
                    .append(c.body());
        } else {
            req.append("\r\n");
        }
        try (RawHttp client = new RawHttp(gateway())) {
            RawHttp.Response r = client.send(req.toString().getBytes(StandardCharsets.UTF_8)).read(c.method().equals("HEAD"));
            return new Answer(r.status(), r.headers(), r.bodyText());
        }
    }

    private static Answer overH2(Case c) throws Exception {
        try (H2Client client = H2Client.priorKnowledge(gateway())) {
            H2Client.Response r;
            if (c.streamed()) {
                HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(c.method()), c.path());
                head.headers().set(HttpHeaderNames.HOST, c.host());
                c.headers().forEach(head.headers()::set);
                r = client.stream(head, c.body()).get(15, TimeUnit.SECONDS);
            } else {
                FullHttpRequest req = H2Client.request(HttpMethod.valueOf(c.method()), c.host(), c.path(), c.body());
                c.headers().forEach(req.headers()::set);
                r = client.send(req).get(15, TimeUnit.SECONDS);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            r.headers().forEach(e -> headers.merge(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue(), (x, y) -> x + ", " + y));
            return new Answer(r.status(), headers, r.body());
        }
    }
}
