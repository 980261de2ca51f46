package net.passerelle.gateway.h2;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import net.passerelle.gateway.config.LimitsConfig;
import net.passerelle.gateway.config.DataSize;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.config.Http2Config;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.GatewayFixture;
import net.passerelle.gateway.testing.H2Gateway;
import net.passerelle.gateway.testing.RawH2;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What one HTTP/2 client may cost the gateway is bounded, each limit with a test that a client without it would
 * pass: rapid reset, CONTINUATION floods, too many streams, oversized header lists, SETTINGS and PING floods, empty
 * DATA floods, a zero window. The frames are written raw ({@link RawH2}): a well-behaved client cannot send them.
 */
class Http2AbuseTest {
    static final String HOST = "alice.gallery.example";

    private StubBackend backend;
    private GatewayFixture gateway;

    /** Limits small enough to reach quickly; every other one at its default. */
    static Http2Config limits(int maxStreams, long maxHeaderList, int maxResets, int maxQueuedControl) {
        return new Http2Config(true, true, maxStreams, DataSize.ofBytes(maxHeaderList), null, null, maxResets,
                Duration.ofSeconds(30), null, maxQueuedControl, null);
    }

    private void start(Http2Config http2, StubBackend.Responder responder) throws Exception {
        start(http2, responder, GatewayConfig.defaults().limits());
    }

    private void start(Http2Config http2, StubBackend.Responder responder, LimitsConfig l) throws Exception {
        backend = new StubBackend();
        backend.respondWith(responder);
        RoutingTable table = RoutingTable.builder(1).group(Tables.open("srv-12", backend.address()))
                .host(HOST, "srv-12", "alice").build();
        gateway = new GatewayFixture(GatewayConfig.defaults().withHttp2(http2).withLimits(l), table);
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

    private RawH2 connect() throws Exception {
        return new RawH2(gateway.ipv4());
    }

    private static Http2Headers get(String path) {
        return RawH2.request("GET", HOST, path);
    }

    @Test
    void rapidResetEndsTheConnection() throws Exception {
        // A backend that never answers: a stream whose answer came before its reset would be closed by then, and a
        // reset of a closed stream is not one the client made the gateway work for (CI saw stream 7 answered first).
        start(limits(128, 16384, 20, 10000), StubBackend.silent());
        try (RawH2 c = connect()) {
            // Exactly one reset too many: frames written after the one that ends the connection would be unread when it
            // closes, and the kernel's reset could take the GOAWAY with it.
            for (int i = 0; i <= 20; i++) {
                int stream = 2 * i + 1;
                c.headers(stream, get("/"), true).rst(stream, Http2Error.CANCEL.code()).flush();
            }
            RawH2.Frame goAway = c.await(f -> f.is(Http2FrameTypes.GO_AWAY));
            assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
            assertTrue(c.awaitClosed());
        }
    }

    @Test
    void aResetStreamCancelsItsBackendRequestAndItsConnectionIsNotPooled() throws Exception {
        start(limits(128, 16384, 200, 10000), StubBackend.silent());
        try (RawH2 c = connect()) {
            c.headers(1, get("/slow"), true);
            backend.awaitHead();
            assertEquals(1, backend.openConnections());
            c.rst(1, Http2Error.CANCEL.code()).flush();
            assertTrue(backend.openConnectionsClosed().await(15, TimeUnit.SECONDS), "the backend connection was closed");
            assertTrue(c.isOpen(), "the client's connection goes on");
        }
        assertEquals(1, backend.connectionCount());
    }

    @Test
    void aFloodOfSmallContinuationFramesEndsTheConnection() throws Exception {
        start(limits(128, 16384, 200, 10000), StubBackend.text("ok"));
        try (RawH2 c = connect()) {
            c.batch(() -> {
                c.headersFrame(1, RawH2.block(":method", "GET"), false, true);
                for (int i = 0; i <= 16; i++) { // one more than http2.maxSmallContinuationFrames
                    c.continuation(1, Unpooled.EMPTY_BUFFER, false);
                }
            });
            assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), c.await(f -> f.is(Http2FrameTypes.GO_AWAY)).errorCode());
            assertTrue(c.awaitClosed());
        }
        assertEquals(0, backend.headsSeen());
    }

    @Test
    void aHeaderBlockGrowingPastTheLimitInContinuationsEndsTheConnection() throws Exception {
        start(limits(128, 4096, 200, 10000), StubBackend.text("ok"));
        try (RawH2 c = connect()) {
            c.batch(() -> {
                c.headersFrame(1, RawH2.block(":method", "GET"), false, true);
                // a fragment of 9 KB: not "small" (8 KiB and more), so only the size limit can stop it
                c.continuation(1, RawH2.block("x-filler", "y".repeat(9000)), false);
            });
            c.await(f -> f.is(Http2FrameTypes.GO_AWAY));
            assertTrue(c.awaitClosed());
        }
        assertEquals(0, backend.headsSeen());
    }

    @Test
    void streamsBeyondTheLimitAreRefused() throws Exception {
        start(limits(4, 16384, 200, 10000), StubBackend.silent());
        try (RawH2 c = connect()) {
            for (int i = 0; i < 4; i++) {
                c.headers(2 * i + 1, get("/slow/" + i), true);
                backend.awaitHead();
            }
            c.headers(9, get("/one-too-many"), true);
            assertEquals(Http2Error.REFUSED_STREAM.code(), c.await(RawH2.type(Http2FrameTypes.RST_STREAM, 9)).errorCode());
            assertTrue(c.isOpen());
        }
        assertEquals(4, backend.headsSeen());
    }

    @Test
    void anOversizedHeaderListGets431OnItsStreamAndTheConnectionGoesOn() throws Exception {
        start(limits(128, 4096, 200, 10000), StubBackend.text("ok"));
        try (RawH2 c = connect()) {
            c.headers(1, get("/").add("x-big", "b".repeat(4500)), true);
            RawH2.Frame refused = c.await(RawH2.type(Http2FrameTypes.HEADERS, 1));
            assertEquals("431", refused.status());
            assertTrue(refused.endStream());
            c.headers(3, get("/fine"), true);
            assertEquals("200", c.await(RawH2.type(Http2FrameTypes.HEADERS, 3)).status());
        }
        assertEquals(1, backend.requestCount());
        assertEquals("/fine", backend.take().uri());
    }

    /**
     * The same gateway pipeline with a 16 KiB socket send buffer: the acknowledgements of a client that reads
     * nothing fill it after a few thousand frames (with Linux's autotuned buffers, a few hundred thousand: the limit
     * is the same, only slower to reach).
     */
    private H2Gateway smallSendBuffer(int maxQueuedControlFrames) throws Exception {
        backend = new StubBackend();
        RoutingTable table = RoutingTable.builder(1).group(Tables.open("srv-12", backend.address()))
                .host(HOST, "srv-12", "alice").build();
        return H2Gateway.cleartext(GatewayConfig.defaults().withHttp2(limits(128, 16384, 200, maxQueuedControlFrames)),
                table, 16 * 1024);
    }

    @Test
    void aPingFloodFromAClientThatReadsNothingEndsTheConnection() throws Exception {
        try (H2Gateway g = smallSendBuffer(100); RawH2 c = new RawH2(g.address(), new Http2Settings(), 4096)) {
            c.reading(false);
            assertTrue(floodUntilClosed(c, i -> c.ping(i)), "the gateway closed the connection");
        }
    }

    @Test
    void aSettingsFloodFromAClientThatReadsNothingEndsTheConnection() throws Exception {
        try (H2Gateway g = smallSendBuffer(100); RawH2 c = new RawH2(g.address(), new Http2Settings(), 4096)) {
            c.reading(false);
            assertTrue(floodUntilClosed(c, i -> c.settings(new Http2Settings())), "the gateway closed the connection");
        }
    }

    /**
     * Writes control frames, 1,000 at a time, until the connection breaks, or far more than the socket buffers hold
     * (some 40 KB: the gateway's send buffer, the client's receive buffer; 50,000 frames are 450 KB or more).
     */
    private static boolean floodUntilClosed(RawH2 c, java.util.function.LongConsumer frame) throws Exception {
        for (long i = 0; i < 50_000 && c.isOpen(); i += 1_000) {
            long first = i;
            c.batch(() -> {
                for (long j = first; j < first + 1_000; j++) {
                    frame.accept(j);
                }
            });
            c.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).await(15, TimeUnit.SECONDS);
        }
        return c.awaitClosed();
    }

    @Test
    void aFloodOfEmptyDataFramesEndsTheConnection() throws Exception {
        start(limits(128, 16384, 200, 10000), StubBackend.silent());
        try (RawH2 c = connect()) {
            c.headers(1, RawH2.request("POST", HOST, "/upload"), false);
            for (int i = 0; i <= 2; i++) { // one more than http2.maxConsecutiveEmptyDataFrames
                c.data(1, "", false);
            }
            assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), c.await(f -> f.is(Http2FrameTypes.GO_AWAY)).errorCode());
            assertTrue(c.awaitClosed());
        }
    }

    /** Limits with a short send timeout (and the rest at their defaults). */
    private static LimitsConfig sendTimeout(Duration send) {
        return new LimitsConfig(null, null, null, null, null, null, null, null, null, null, send, null, null);
    }

    @Test
    void aStreamWhoseWindowStaysClosedIsResetAtTheSendTimeoutAndItsBackendConnectionClosed() throws Exception {
        start(limits(128, 16384, 200, 10000), StubBackend.stream(1 << 20), sendTimeout(Duration.ofMillis(500)));
        try (RawH2 c = new RawH2(gateway.ipv4(), new Http2Settings().initialWindowSize(0), 0)) {
            c.headers(1, get("/big"), true);
            assertEquals("200", c.await(RawH2.type(Http2FrameTypes.HEADERS, 1)).status());
            assertEquals(Http2Error.CANCEL.code(), c.await(RawH2.type(Http2FrameTypes.RST_STREAM, 1)).errorCode());
            assertTrue(backend.openConnectionsClosed().await(15, TimeUnit.SECONDS), "the backend connection was closed");
            assertTrue(c.isOpen(), "the other streams could go on");
        }
    }

    @Test
    void aSmallResponseThatCannotLeaveIsResetAtTheSendTimeoutToo() throws Exception {
        start(limits(128, 16384, 200, 10000), StubBackend.text("a small page"), sendTimeout(Duration.ofMillis(500)));
        try (RawH2 c = new RawH2(gateway.ipv4(), new Http2Settings().initialWindowSize(0), 0)) {
            c.headers(1, get("/small"), true);
            assertEquals("200", c.await(RawH2.type(Http2FrameTypes.HEADERS, 1)).status());
            assertEquals(Http2Error.CANCEL.code(), c.await(RawH2.type(Http2FrameTypes.RST_STREAM, 1)).errorCode());
        }
    }

    @Test
    void aConnectionWindowThatStaysClosedResetsTheStreamAtTheSendTimeout() throws Exception {
        start(limits(128, 16384, 200, 10000), StubBackend.stream(1 << 20), sendTimeout(Duration.ofMillis(500)));
        try (RawH2 c = connect()) {
            c.headers(1, get("/big"), true);
            // the client reads but never opens its connection window past the first 65,535 bytes
            assertEquals(Http2Error.CANCEL.code(), c.await(RawH2.type(Http2FrameTypes.RST_STREAM, 1)).errorCode());
            assertTrue(backend.openConnectionsClosed().await(15, TimeUnit.SECONDS));
        }
    }
}
