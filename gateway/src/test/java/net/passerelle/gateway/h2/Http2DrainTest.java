package net.passerelle.gateway.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import net.passerelle.gateway.config.LimitsConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.config.Http2Config;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.GatewayFixture;
import net.passerelle.gateway.testing.H2Client;
import net.passerelle.gateway.testing.RawH2;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drain on an HTTP/2 connection: GOAWAY with the last stream id, the open streams finish, then the connection closes. */
class Http2DrainTest {
    private static final String HOST = "alice.gallery.example";

    private StubBackend backend;
    private GatewayFixture gateway;
    /** Requests to /slow wait here until the test answers them. */
    private final BlockingQueue<ChannelHandlerContext> held = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        start(GatewayConfig.defaults().limits());
    }

    private void start(LimitsConfig limits) throws Exception {
        if (gateway != null) {
            stop();
        }
        backend = new StubBackend();
        backend.respondWith((ctx, req) -> {
            if (req.uri().equals("/slow")) {
                held.add(ctx);
            } else {
                StubBackend.text("fast").respond(ctx, req);
            }
        });
        RoutingTable table = RoutingTable.builder(1).group(Tables.open("srv-12", backend.address()))
                .host(HOST, "srv-12", "alice").build();
        gateway = new GatewayFixture(GatewayConfig.defaults().withLimits(limits)
                .withHttp2(Http2Config.defaults().withCleartext(true)), table);
    }

    @Test
    void aConnectionWithoutOpenStreamsIsClosedWithGoAwayAtTheKeepAliveTimeout() throws Exception {
        start(new LimitsConfig(null, null, null, null, null, Duration.ofMillis(700), null, null));
        try (RawH2 c = new RawH2(gateway.ipv4())) {
            // a body announced empty, whose end comes in a DATA frame of its own: the stream must still close
            c.headers(1, RawH2.request("POST", HOST, "/empty").setInt("content-length", 0), false);
            c.data(1, "", true);
            assertEquals("200", c.await(RawH2.type(Http2FrameTypes.HEADERS, 1)).status());
            assertEquals(Http2Error.NO_ERROR.code(), c.await(f -> f.is(Http2FrameTypes.GO_AWAY)).errorCode());
            assertTrue(c.awaitClosed());
        }
        assertEquals("/empty", backend.take().uri());
    }

    @AfterEach
    void stop() {
        gateway.close();
        backend.close();
    }

    @Test
    void drainSendsGoAwayLetsTheOpenStreamFinishThenCloses() throws Exception {
        try (H2Client busy = H2Client.priorKnowledge(gateway.ipv4()); H2Client idle = H2Client.priorKnowledge(gateway.ipv4())) {
            assertEquals("fast", idle.get(HOST, "/").body());
            assertEquals("fast", busy.get(HOST, "/").body()); // stream 3
            CompletableFuture<H2Client.Response> slow = busy.send(H2Client.request(HttpMethod.GET, HOST, "/slow", null)); // 5
            ChannelHandlerContext backendSide = held.poll(10, TimeUnit.SECONDS);
            assertNotNull(backendSide, "the slow request reached the backend");

            CompletableFuture<Integer> drained = CompletableFuture.supplyAsync(() -> gateway.server().drain(Duration.ofSeconds(20)));
            Http2GoAwayFrame goAway = busy.awaitGoAway();
            assertNotNull(goAway, "GOAWAY before the close");
            assertEquals(Http2Error.NO_ERROR.code(), goAway.errorCode());
            assertEquals(5, goAway.lastStreamId(), "the last stream the gateway will serve");
            Http2GoAwayFrame idleGoAway = idle.awaitGoAway();
            assertNotNull(idleGoAway);
            assertTrue(idle.channel().closeFuture().await(10, TimeUnit.SECONDS), "an idle connection closes at once");
            assertFalse(drained.isDone(), "the drain waits for the open stream");
            assertTrue(busy.channel().isActive());

            StubBackend.text("slow answer").respond(backendSide, null);
            H2Client.Response r = slow.get(10, TimeUnit.SECONDS);
            assertEquals(200, r.status());
            assertEquals("slow answer", r.body());
            assertTrue(busy.channel().closeFuture().await(10, TimeUnit.SECONDS), "closed once its streams are done");
            assertEquals(0, drained.get(10, TimeUnit.SECONDS), "nothing had to be cut at the deadline");
        }
    }
}
