package net.passerelle.gateway.h2;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.Http2FrameTypes;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.config.Http2Config;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.GatewayFixture;
import net.passerelle.gateway.testing.H2Client;
import net.passerelle.gateway.testing.RawH2;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cleartext HTTP/2 (h2c) with prior knowledge, only when {@code http2.cleartext: true}; {@code Upgrade: h2c} is
 * never honoured.
 */
class Http2CleartextTest {
    private static final String HOST = "alice.gallery.example";
    private static final String PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    private StubBackend backend;
    private GatewayFixture gateway;

    private void start(boolean cleartext) throws Exception {
        backend = new StubBackend();
        RoutingTable table = RoutingTable.builder(1).group(Tables.open("srv-12", backend.address()))
                .host(HOST, "srv-12", "alice").build();
        gateway = new GatewayFixture(GatewayConfig.defaults().withHttp2(Http2Config.defaults().withCleartext(cleartext)), table);
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void priorKnowledgeIsServedWhenCleartextIsOn() throws Exception {
        start(true);
        try (H2Client client = H2Client.priorKnowledge(gateway.ipv4())) {
            H2Client.Response r = client.get(HOST, "/index.php?/category/3");
            assertEquals(200, r.status());
            assertEquals("hello from backend", r.body());
            StubBackend.Seen seen = backend.take();
            assertEquals("/index.php?/category/3", seen.uri());
            assertEquals(HOST, seen.header("host"));
            assertEquals("2 passerelle", seen.header("via"));
            assertEquals("http", seen.header("x-forwarded-proto"));
            assertNull(seen.header("x-http2-scheme"));
            assertNull(seen.header("x-http2-stream-id"));
        }
    }

    @Test
    void severalCookieFieldsReachTheBackendAsOneCookieHeader() throws Exception {
        start(true);
        try (RawH2 c = new RawH2(gateway.ipv4())) {
            c.headersFrame(1, RawH2.block(":method", "GET", ":scheme", "http", ":authority", HOST, ":path", "/",
                    "cookie", "pwg_id=abc", "cookie", "lang=fr", "te", "trailers"), true, true);
            assertEquals("200", c.await(RawH2.type(Http2FrameTypes.HEADERS, 1)).status());
        }
        StubBackend.Seen seen = backend.take();
        assertEquals(List.of("pwg_id=abc; lang=fr"), seen.headers().getAll("cookie"));
        assertNull(seen.header("te"), "te: trailers is accepted, and hop-by-hop");
    }

    @Test
    void aClientWaitingFor100ContinueGetsItAndTheBackendTheWholeBody() throws Exception {
        start(true);
        try (H2Client client = H2Client.priorKnowledge(gateway.ipv4())) {
            FullHttpRequest post = H2Client.request(HttpMethod.POST, HOST, "/comments.php", "content=bonjour");
            post.headers().set("expect", "100-continue").set("content-type", "application/x-www-form-urlencoded");
            assertEquals(200, client.send(post).get(15, TimeUnit.SECONDS).status());
        }
        StubBackend.Seen seen = backend.take();
        assertEquals("content=bonjour", seen.body());
        assertNull(seen.header("expect"));
    }

    @Test
    void thePrefaceIsAMalformedHttp1RequestWhenCleartextIsOff() throws Exception {
        start(false);
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response r = c.send(PREFACE).read();
            assertEquals(400, r.status());
            assertTrue(c.isClosedByPeer());
        }
        assertEquals(0, backend.requestCount());
    }

    @Test
    void http1StillWorksBesideCleartextH2AndUpgradeIsNotHonoured() throws Exception {
        start(true);
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("hello from backend", r.bodyText());
            // and the connection is still HTTP/1.1
            assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status());
        }
        StubBackend.Seen seen = backend.take();
        assertNull(seen.header("upgrade"));
        assertNull(seen.header("http2-settings"));
        assertEquals("1.1 passerelle", seen.header("via"));
    }
}
