package net.passerelle.gateway.proxy;

import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.config.ConfigLoader;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bad {@code %} escape in the request target used to make every answer the gateway writes itself (notice, 404,
 * 405, 400, the 408 of a body timeout) throw while choosing the notice's format, so the connection closed with no
 * status at all. Every one of these gets its status line.
 */
@ParameterizedClass(name = "over {0}")
@MethodSource("net.passerelle.gateway.testing.GatewayTransports#names")
class PercentEscapeTest {
    @Parameter
    String transport;
    private static final String ALICE = "Host: alice.gallery.example\r\n";
    private static final String BOB = "Host: bob.gallery.example\r\n";
    private static StubBackend backend;
    private static GatewayFixture gateway;

    @BeforeParameterizedClassInvocation
    static void start(String transport) throws Exception {
        GatewayTransports.assumeAvailable(transport);
        backend = new StubBackend();
        gateway = new GatewayFixture(GatewayTransports.on(GatewayConfig.defaults(), transport), table());
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

    static RoutingTable table() {
        return RoutingTable.builder(1)
                .group(Tables.open("open", backend.address()))
                .group(Tables.group("ro", Mode.READ_ONLY, WritePolicy.REJECT, backend.address()))
                .host("alice.gallery.example", "open", "alice")
                .host("bob.gallery.example", "ro", "bob")
                .build();
    }

    static Stream<Arguments> answeredByTheGateway() {
        return Stream.of(
                Arguments.of("% at the end of a path, unknown host", 404,
                        "GET /x% HTTP/1.1\r\nHost: nobody.example\r\n\r\n"),
                Arguments.of("%zz, unknown host", 404,
                        "GET /%zz HTTP/1.1\r\nHost: nobody.example\r\n\r\n"),
                Arguments.of("%zz in ws.php's query, unknown host", 404,
                        "GET /ws.php?format=%zz HTTP/1.1\r\nHost: nobody.example\r\n\r\n"),
                Arguments.of("TRACE with %zz", 405,
                        "TRACE /%zz HTTP/1.1\r\n" + ALICE + "\r\n"),
                Arguments.of("TRACE with % at the end", 405,
                        "TRACE /ws.php% HTTP/1.1\r\n" + ALICE + "\r\n"),
                Arguments.of("%zz without Host", 400,
                        "GET /%zz HTTP/1.1\r\n\r\n"),
                Arguments.of("% at the end without Host, HTTP/1.0", 400,
                        "GET /comments.php% HTTP/1.0\r\n\r\n"),
                Arguments.of("%zz with an invalid Host", 400,
                        "GET /%zz HTTP/1.1\r\nHost: a b\r\n\r\n"),
                Arguments.of("read-only host, POST /comments.php%", 503,
                        "POST /comments.php% HTTP/1.1\r\n" + BOB + "Content-Type: application/x-www-form-urlencoded\r\n"
                                + "Content-Length: 3\r\n\r\na=b"),
                Arguments.of("read-only host, GET /%zz (fail closed)", 503,
                        "GET /%zz HTTP/1.1\r\n" + BOB + "\r\n"),
                Arguments.of("read-only host, ws.php% as JSON", 503,
                        "GET /ws.php%zz?format=json HTTP/1.1\r\n" + BOB + "Accept: application/json\r\n\r\n"),
                Arguments.of("read-only host, POST ws.php with a bad escape in the body", 503,
                        "POST /ws.php?format=json HTTP/1.1\r\n" + BOB + "Content-Type: application/x-www-form-urlencoded\r\n"
                                + "Content-Length: 26\r\n\r\nmethod=pwg.images.rate&x=%"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answeredByTheGateway")
    void getsAStatusLine(String name, int status, String raw) throws Exception {
        int before = backend.requestCount();
        try (RawHttp client = gateway.connect()) {
            client.send(raw);
            RawHttp.Response response = client.read();
            assertEquals(status, response.status(), name);
            assertTrue(response.header("x-request-id") != null, name + ": the gateway's own answer");
            if (status == 400) {
                assertTrue(client.isClosedByPeer(), name + ": a malformed request closes the connection");
            }
        }
        assertEquals(before, backend.requestCount(), name + ": nothing reaches the backend");
    }

    @Test
    void aForwardedTargetWithABadEscapeIsPassedAsItIs() throws Exception {
        try (RawHttp client = gateway.connect()) {
            RawHttp.Response response = client.send("GET /photos/100%zz HTTP/1.1\r\n" + ALICE + "\r\n").read();
            assertEquals(200, response.status());
        }
        assertTrue(backend.all().stream().anyMatch(s -> s.uri().equals("/photos/100%zz")), "forwarded as sent");
    }

    /**
     * The body of {@code POST /upload/x%zz} stops after 4 of 1000 bytes: the 408 comes at the body timeout, the
     * connection closes, and it no longer counts against the client address's cap (here 1).
     */
    @Test
    void aPendingBodyGets408AtTheBodyTimeoutAndFreesItsPlace() throws Exception {
        GatewayConfig config = new ConfigLoader(k -> null).parse("""
                server: { ioThreads: 1 }
                limits: { idleTimeout: 300ms, maxConnectionsPerClient: 1 }
                """, "test");
        try (GatewayFixture small = new GatewayFixture(GatewayTransports.on(config, transport), table())) {
            try (RawHttp client = small.connect()) {
                client.send("POST /upload/x%zz HTTP/1.1\r\n" + ALICE + "Content-Length: 1000\r\n\r\nabcd");
                RawHttp.Response response = client.read();
                assertEquals(408, response.status());
                assertEquals("close", response.header("connection"));
                assertTrue(client.isClosedByPeer());
            }
            assertEquals(200, getWithin(small, 10_000_000_000L),
                    "the timed-out connection must not hold the address's only place");
        }
    }

    /**
     * The next request from the same address. The server notes a closed connection an instant after the client
     * sees it closed, so a 429 is retried until the deadline; a place that is never given back fails.
     */
    private static int getWithin(GatewayFixture fixture, long nanos) throws Exception {
        long deadline = System.nanoTime() + nanos;
        while (true) {
            try (RawHttp client = fixture.connect()) {
                int status = client.send("GET / HTTP/1.1\r\n" + ALICE + "Connection: close\r\n\r\n").read().status();
                if (status != 429 || System.nanoTime() - deadline > 0) {
                    return status;
                }
            }
        }
    }
}
