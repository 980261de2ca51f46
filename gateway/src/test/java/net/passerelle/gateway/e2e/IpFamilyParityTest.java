package net.passerelle.gateway.e2e;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.GatewayFixture;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IPv4 and IPv6 behave the same, which is what the incident was about: one table of requests, each sent over the
 * gateway's IPv4 and IPv6 listeners to a group whose backend is reached over IPv4, then over IPv6. For every request
 * the four answers are the same (status, framing, body, what the backend saw, whether a backend was asked at all),
 * and the expected one.
 */
class IpFamilyParityTest {
    private static final String ALICE = "alice.gallery.example";
    private static final String RO = "ro.gallery.example";

    private static StubBackend v4Backend;
    private static StubBackend v6Backend;
    private static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        v4Backend = new StubBackend(new InetSocketAddress("127.0.0.1", 0));
        v6Backend = new StubBackend(new InetSocketAddress("::1", 0));
        v4Backend.respondWith(IpFamilyParityTest::answer);
        v6Backend.respondWith(IpFamilyParityTest::answer);
        gateway = new GatewayFixture(GatewayConfig.defaults(), table(v4Backend, 1));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (v4Backend != null) {
            v4Backend.close();
        }
        if (v6Backend != null) {
            v6Backend.close();
        }
    }

    private static RoutingTable table(StubBackend backend, long version) {
        return RoutingTable.builder(version)
                .group(Tables.open("srv-12", backend.address()))
                .group(Tables.group("srv-13", Mode.READ_ONLY, WritePolicy.REJECT, backend.address()))
                .host(ALICE, "srv-12", "alice")
                .host("bücher.example", "srv-12", "alice")
                .host(RO, "srv-13", "ro")
                .build();
    }

    /** The backend describes what it received; /welcome answers with a web server's default page. */
    private static void answer(io.netty.channel.ChannelHandlerContext ctx, StubBackend.Seen s) {
        if (s.uri().startsWith("/welcome")) {
            StubBackend.html("<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body><h1>Welcome to nginx!</h1></body></html>")
                    .respond(ctx, s);
            return;
        }
        String text = String.join("\n", s.method(), s.uri(), "host=" + s.header("host"),
                "xff=" + s.header("x-forwarded-for"), "forwarded=" + s.header("forwarded"),
                "xfproto=" + s.header("x-forwarded-proto"), "xfhost=" + s.header("x-forwarded-host"),
                "via=" + s.header("via"), "cl=" + s.header("content-length"), "te=" + s.header("transfer-encoding"),
                "bytes=" + s.bodyBytes(), "sha=" + s.bodySha256());
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set("X-Backend-Family", ((InetSocketAddress) ctx.channel().localAddress()).getAddress()
                        instanceof java.net.Inet6Address ? "IPv6" : "IPv4")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        ctx.writeAndFlush(r);
    }

    private record Case(String name, byte[] request, boolean head, int status, boolean forwarded) {
        static Case of(String name, String request, int status, boolean forwarded) {
            return new Case(name, request.getBytes(StandardCharsets.UTF_8), request.startsWith("HEAD"), status, forwarded);
        }
    }

    private static String get(String host, String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    }

    static List<Case> cases() {
        String big = "x".repeat(200_000);
        return List.of(
                Case.of("GET of a gallery page", get(ALICE, "/index.php?/category/3"), 200, true),
                Case.of("normalised host name", get("ALICE.Gallery.Example.:8080", "/"), 200, true),
                Case.of("IDN host in UTF-8", get("bücher.example", "/"), 200, true),
                Case.of("IDN host in punycode", get("xn--bcher-kva.example", "/"), 200, true),
                Case.of("HEAD", "HEAD / HTTP/1.1\r\nHost: " + ALICE + "\r\n\r\n", 200, true),
                Case.of("POST with a Content-Length body", "POST /comments.php HTTP/1.1\r\nHost: " + ALICE
                        + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 15\r\n\r\ncontent=bonjour", 200, true),
                Case.of("chunked PUT of 200 kB", "PUT /upload HTTP/1.1\r\nHost: " + ALICE + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n", 200, true),
                Case.of("absolute-form target that agrees with Host", "GET http://" + ALICE + "/a?b=c HTTP/1.1\r\nHost: " + ALICE + "\r\n\r\n", 200, true),
                Case.of("HTTP/1.0 client", "GET / HTTP/1.0\r\nHost: " + ALICE + "\r\n\r\n", 200, true),
                Case.of("client-supplied forwarding headers", "GET / HTTP/1.1\r\nHost: " + ALICE
                        + "\r\nX-Forwarded-For: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\nX-Forwarded-Host: evil.example\r\n\r\n", 200, true),
                Case.of("unknown host", get("mallory.example", "/"), 404, false),
                Case.of("unknown host, JSON", "GET /ws.php HTTP/1.1\r\nHost: mallory.example\r\nAccept: application/json\r\n\r\n", 404, false),
                Case.of("no Host", "GET / HTTP/1.1\r\n\r\n", 400, false),
                Case.of("two Host headers", "GET / HTTP/1.1\r\nHost: " + ALICE + "\r\nHost: " + ALICE + "\r\n\r\n", 400, false),
                Case.of("absolute-form target that disagrees with Host", "GET http://mallory.example/ HTTP/1.1\r\nHost: " + ALICE + "\r\n\r\n", 400, false),
                Case.of("Content-Length with Transfer-Encoding", "POST / HTTP/1.1\r\nHost: " + ALICE
                        + "\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, false),
                Case.of("TRACE", "TRACE / HTTP/1.1\r\nHost: " + ALICE + "\r\n\r\n", 405, false),
                Case.of("read in a read-only group", get(RO, "/picture.php?/12"), 200, true),
                Case.of("write in a read-only group", "POST /comments.php HTTP/1.1\r\nHost: " + RO
                        + "\r\nAccept: text/html\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\ncontent=x", 503, false),
                Case.of("Piwigo write by GET in a read-only group", get(RO, "/ws.php?format=json&method=pwg.images.delete&image_id=1"), 503, false),
                Case.of("default page from the backend", "GET /welcome HTTP/1.1\r\nHost: " + ALICE + "\r\nAccept: text/html\r\n\r\n", 502, true));
    }

    @TestFactory
    Stream<DynamicTest> everyRequestIsAnsweredAlikeOverBothFamilies() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Map<String, String> answers = new LinkedHashMap<>();
            long version = 10;
            for (StubBackend backend : List.of(v4Backend, v6Backend)) {
                gateway.routes().swap(table(backend, version++));
                StubBackend other = backend == v4Backend ? v6Backend : v4Backend;
                for (InetSocketAddress listener : List.of(gateway.ipv4(), gateway.ipv6())) {
                    String combo = "client " + family(listener) + " -> backend " + family(backend.address());
                    int before = backend.requestCount();
                    int otherBefore = other.requestCount();
                    RawHttp.Response r;
                    boolean closed;
                    try (RawHttp client = new RawHttp(listener)) {
                        r = client.send(c.request()).read(c.head());
                        closed = "close".equalsIgnoreCase(r.header("connection"));
                    }
                    assertEquals(c.status(), r.status(), combo + ": " + r.bodyText());
                    assertEquals(c.forwarded() ? 1 : 0, backend.requestCount() - before, combo + ": requests the backend saw");
                    assertEquals(0, other.requestCount() - otherBefore, combo + ": the other family's backend was asked");
                    if (c.forwarded() && c.status() == 200) {
                        assertEquals(family(backend.address()), r.header("x-backend-family"), combo);
                    }
                    answers.put(combo, normalise(r, listener, closed));
                }
            }
            String first = answers.values().iterator().next();
            for (Map.Entry<String, String> e : answers.entrySet()) {
                assertEquals(first, e.getValue(), e.getKey() + " differs from " + answers.keySet().iterator().next());
            }
        }));
    }

    private static String family(InetSocketAddress a) {
        return a.getAddress() instanceof java.net.Inet4Address ? "IPv4" : "IPv6";
    }

    /**
     * What must be equal: status, framing and type headers, body. What may differ, and is replaced here: the
     * request id; the client's own address in the forwarding headers, which must be the address of the listener's
     * family (anything else stays and shows up as a difference); the minutes in a notice's "ends at" time.
     */
    private static String normalise(RawHttp.Response r, InetSocketAddress listener, boolean closed) {
        String body = r.bodyText();
        String rid = r.header("x-request-id");
        if (rid != null) {
            body = body.replace(rid, "<request-id>");
        }
        boolean v4 = listener.getAddress() instanceof java.net.Inet4Address;
        body = body.replace(v4 ? "for=127.0.0.1" : "for=\"[::1]\"", "for=<client>")
                .replace(v4 ? "xff=127.0.0.1" : "xff=::1", "xff=<client>");
        if (r.status() >= 500) {
            body = body.replaceAll("\\d", "#");
        }
        StringBuilder sb = new StringBuilder();
        sb.append(r.status()).append('\n');
        // The length follows the body (whose client address differs in length); how the body is framed may not.
        sb.append("framing: ").append(r.header("content-length") != null ? "length" : r.header("transfer-encoding")).append('\n');
        for (String h : List.of("content-type", "content-language", "cache-control", "retry-after", "via")) {
            sb.append(h).append(": ").append(r.header(h)).append('\n');
        }
        sb.append("closed: ").append(closed).append('\n').append(body);
        return sb.toString();
    }
}
