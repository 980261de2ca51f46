package net.passerelle.gateway.proxy;

import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.GatewayFixture;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import net.passerelle.gateway.testing.GatewayTransports;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every ambiguous or malformed request gets its 4xx, a closed connection, and none of it reaches the backend.
 * "Reaches nothing" is shown by order: after each bad request a good one (with a marker) is sent on a new
 * connection, and it must be the very next thing the backend sees.
 */
@ParameterizedClass(name = "over {0}")
@MethodSource("net.passerelle.gateway.testing.GatewayTransports#names")
class MalformedRequestTest {
    @Parameter
    String transport;
    private static StubBackend backend;
    private static GatewayFixture gateway;
    private static final String H = "Host: alice.gallery.example\r\n";

    @BeforeParameterizedClassInvocation
    static void start(String transport) throws Exception {
        GatewayTransports.assumeAvailable(transport);
        backend = new StubBackend();
        RoutingTable table = RoutingTable.builder(1).group(Tables.open("g", backend.address()))
                .host("alice.gallery.example", "g", "alice").build();
        gateway = new GatewayFixture(GatewayTransports.on(GatewayConfig.defaults(), transport), table);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        if (gateway == null) {
            return; // this transport is not available here
        }
        gateway.close();
        backend.close();
        gateway = null;
        backend = null;
    }

    static Stream<Arguments> malformed() {
        String longLine = "GET /" + "a".repeat(9000) + " HTTP/1.1\r\n" + H + "\r\n";
        StringBuilder manyHeaders = new StringBuilder("GET / HTTP/1.1\r\n" + H);
        for (int i = 0; i < 120; i++) {
            manyHeaders.append("X-H").append(i).append(": v\r\n");
        }
        manyHeaders.append("\r\n");
        String hugeHeader = "GET / HTTP/1.1\r\n" + H + "X-Big: " + "b".repeat(20000) + "\r\n\r\n";
        return Stream.of(
                Arguments.of("Content-Length with Transfer-Encoding", 400,
                        "POST / HTTP/1.1\r\n" + H + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("two different Content-Length", 400,
                        "POST / HTTP/1.1\r\n" + H + "Content-Length: 4\r\nContent-Length: 5\r\n\r\nabcde"),
                Arguments.of("two equal Content-Length", 400,
                        "POST / HTTP/1.1\r\n" + H + "Content-Length: 4\r\nContent-Length: 4\r\n\r\nabcd"),
                Arguments.of("Content-Length list", 400,
                        "POST / HTTP/1.1\r\n" + H + "Content-Length: 4, 4\r\n\r\nabcd"),
                Arguments.of("negative Content-Length", 400,
                        "POST / HTTP/1.1\r\n" + H + "Content-Length: -1\r\n\r\n"),
                Arguments.of("non-numeric Content-Length", 400,
                        "POST / HTTP/1.1\r\n" + H + "Content-Length: 4x\r\n\r\nabcd"),
                Arguments.of("plus-signed Content-Length", 400,
                        "POST / HTTP/1.1\r\n" + H + "Content-Length: +4\r\n\r\nabcd"),
                Arguments.of("bad chunk size", 400,
                        "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("chunk size with junk", 400,
                        "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3 x\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("coding after chunked", 400,
                        "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"),
                Arguments.of("coding other than chunked", 400,
                        "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip\r\n\r\n"),
                Arguments.of("gzip then chunked", 400,
                        "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding on HTTP/1.0", 400,
                        "POST / HTTP/1.0\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("whitespace before colon", 400,
                        "GET / HTTP/1.1\r\nHost : alice.gallery.example\r\n\r\n"),
                Arguments.of("obs-fold in Transfer-Encoding", 400,
                        "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("obs-fold in Content-Length", 400,
                        "POST / HTTP/1.1\r\n" + H + "Content-Length:\r\n\t4\r\n\r\nabcd"),
                Arguments.of("obs-fold in any header", 400,
                        "GET / HTTP/1.1\r\n" + H + "X-Folded: a\r\n b\r\n\r\n"),
                Arguments.of("bare LF line ending", 400,
                        "GET / HTTP/1.1\n" + H + "\r\n"),
                Arguments.of("bare CR in a header value", 400,
                        "GET / HTTP/1.1\r\n" + H + "X-A: a\rb\r\n\r\n"),
                Arguments.of("NUL in a header value", 400,
                        "GET / HTTP/1.1\r\n" + H + "X-A: a\u0000b\r\n\r\n"),
                Arguments.of("control character in a header value", 400,
                        "GET / HTTP/1.1\r\n" + H + "X-A: a\u0001b\r\n\r\n"),
                Arguments.of("DEL in a header value", 400,
                        "GET / HTTP/1.1\r\n" + H + "X-A: a\u007fb\r\n\r\n"),
                Arguments.of("header name that is not a token", 400,
                        "GET / HTTP/1.1\r\n" + H + "X(A): b\r\n\r\n"),
                Arguments.of("control character in a chunked trailer", 400,
                        "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-T: a\u0001b\r\n\r\n"),
                Arguments.of("missing Host", 400,
                        "GET / HTTP/1.1\r\n\r\n"),
                Arguments.of("two Host headers", 400,
                        "GET / HTTP/1.1\r\n" + H + "Host: bob.gallery.example\r\n\r\n"),
                Arguments.of("empty Host", 400,
                        "GET / HTTP/1.1\r\nHost: \r\n\r\n"),
                Arguments.of("invalid Host", 400,
                        "GET / HTTP/1.1\r\nHost: alice gallery\r\n\r\n"),
                Arguments.of("Host with userinfo", 400,
                        "GET / HTTP/1.1\r\nHost: x@alice.gallery.example\r\n\r\n"),
                Arguments.of("absolute-form disagreeing with Host", 400,
                        "GET http://bob.gallery.example/ HTTP/1.1\r\n" + H + "\r\n"),
                Arguments.of("target with a space", 400,
                        "GET /a b HTTP/1.1\r\n" + H + "\r\n"),
                Arguments.of("target with a control character", 400,
                        "GET /a\u0001b HTTP/1.1\r\n" + H + "\r\n"),
                Arguments.of("unknown HTTP version", 400,
                        "GET / HTTP/2.7\r\n" + H + "\r\n"),
                Arguments.of("garbage", 400,
                        "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003\r\n\r\n"),
                Arguments.of("request line too long", 414, longLine),
                Arguments.of("too many headers", 431, manyHeaders.toString()),
                Arguments.of("header section too large", 431, hugeHeader),
                Arguments.of("CONNECT", 405,
                        "CONNECT alice.gallery.example:443 HTTP/1.1\r\n" + H + "\r\n"),
                Arguments.of("TRACE", 405,
                        "TRACE / HTTP/1.1\r\n" + H + "\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void isRefusedClosedAndNeverForwarded(String name, int status, String raw) throws Exception {
        int before = backend.requestCount();
        try (RawHttp client = gateway.connect()) {
            client.send(raw);
            RawHttp.Response response = client.read();
            assertEquals(status, response.status(), name);
            if (status == 400 || status == 414 || status == 431) {
                assertEquals("close", response.header("connection"), name);
                assertTrue(client.isClosedByPeer(), name + ": connection must be closed");
            }
        }
        String marker = "/marker-" + System.nanoTime();
        try (RawHttp client = gateway.connect()) {
            client.send("GET " + marker + " HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n");
            assertEquals(200, client.read().status());
        }
        StubBackend.Seen next = backend.take();
        assertEquals(marker, next.uri(), name + ": something of the bad request reached the backend");
        assertEquals(before + 1, backend.requestCount(), name);
    }
}
