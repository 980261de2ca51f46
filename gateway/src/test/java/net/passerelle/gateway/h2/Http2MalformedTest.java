package net.passerelle.gateway.h2;

import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameTypes;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.config.Http2Config;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.GatewayFixture;
import net.passerelle.gateway.testing.RawH2;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A malformed HTTP/2 request (RFC 9113, 8.1.1 and 8.2) is a stream error: its stream is reset with PROTOCOL_ERROR,
 * nothing of it reaches a backend, and the connection goes on (a well-formed request after it is answered). The
 * header blocks are encoded by hand, in the order given: Netty's encoder would refuse or reorder them.
 */
class Http2MalformedTest {
    private static final String HOST = "alice.gallery.example";

    private static StubBackend backend;
    private static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = new StubBackend();
        RoutingTable table = RoutingTable.builder(1).group(Tables.open("srv-12", backend.address()))
                .host(HOST, "srv-12", "alice").build();
        gateway = new GatewayFixture(GatewayConfig.defaults().withHttp2(Http2Config.defaults().withCleartext(true)), table);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    /** A request: its header fields in wire order, and the body (null: HEADERS end the stream). */
    private record Case(String name, List<String> fields, String body) {
        static Case of(String name, String body, String... fields) {
            return new Case(name, List.of(fields), body);
        }
    }

    static List<Case> cases() {
        return List.of(
                Case.of("an upper-case header name", null,
                        ":method", "GET", ":scheme", "http", ":authority", HOST, ":path", "/", "X-Upper", "1"),
                Case.of("connection", null,
                        ":method", "GET", ":scheme", "http", ":authority", HOST, ":path", "/", "connection", "keep-alive"),
                Case.of("keep-alive", null,
                        ":method", "GET", ":scheme", "http", ":authority", HOST, ":path", "/", "keep-alive", "300"),
                Case.of("transfer-encoding", null,
                        ":method", "GET", ":scheme", "http", ":authority", HOST, ":path", "/", "transfer-encoding", "chunked"),
                Case.of("upgrade", null,
                        ":method", "GET", ":scheme", "http", ":authority", HOST, ":path", "/", "upgrade", "websocket"),
                Case.of("te other than trailers", null,
                        ":method", "GET", ":scheme", "http", ":authority", HOST, ":path", "/", "te", "gzip"),
                Case.of("a pseudo-header after a regular one", null,
                        ":method", "GET", ":scheme", "http", ":authority", HOST, "accept", "*/*", ":path", "/"),
                Case.of("an unknown pseudo-header", null,
                        ":method", "GET", ":scheme", "http", ":authority", HOST, ":path", "/", ":extra", "1"),
                Case.of("no :path", null, ":method", "GET", ":scheme", "http", ":authority", HOST),
                Case.of("a response pseudo-header in a request", null,
                        ":method", "GET", ":scheme", "http", ":authority", HOST, ":path", "/", ":status", "200"),
                Case.of("a host that is not the :authority", null,
                        ":method", "GET", ":scheme", "http", ":authority", HOST, ":path", "/", "host", "mallory.example"),
                Case.of("a content-length the DATA exceeds", "content=hello",
                        ":method", "POST", ":scheme", "http", ":authority", HOST, ":path", "/comments.php",
                        "content-length", "5"),
                Case.of("a content-length the DATA falls short of", "content=hi",
                        ":method", "POST", ":scheme", "http", ":authority", HOST, ":path", "/comments.php",
                        "content-length", "50"),
                Case.of("a content-length with no DATA at all", null,
                        ":method", "POST", ":scheme", "http", ":authority", HOST, ":path", "/comments.php",
                        "content-length", "10"),
                Case.of("two content-lengths", "abc",
                        ":method", "POST", ":scheme", "http", ":authority", HOST, ":path", "/comments.php",
                        "content-length", "3", "content-length", "4"));
    }

    @TestFactory
    Stream<DynamicTest> everyMalformedRequestResetsItsStreamAndNothingReachesABackend() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            int before = backend.headsSeen();
            try (RawH2 h2 = new RawH2(gateway.ipv4())) {
                boolean bodyless = c.body() == null;
                h2.headersFrame(1, RawH2.block(c.fields().toArray(String[]::new)), true, bodyless);
                if (!bodyless) {
                    h2.data(1, c.body(), true);
                }
                RawH2.Frame reset = h2.await(RawH2.type(Http2FrameTypes.RST_STREAM, 1));
                assertEquals(Http2Error.PROTOCOL_ERROR.code(), reset.errorCode(), "error code of the reset");
                // the connection goes on
                h2.headers(3, RawH2.request("GET", HOST, "/after"), true);
                assertEquals("200", h2.await(RawH2.type(Http2FrameTypes.HEADERS, 3)).status());
            }
            assertEquals("/after", backend.take().uri());
            assertEquals(before + 1, backend.headsSeen(), "only the well-formed request reached the backend");
        }));
    }
}
