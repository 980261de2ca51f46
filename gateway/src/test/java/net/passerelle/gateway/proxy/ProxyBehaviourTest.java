package net.passerelle.gateway.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import net.passerelle.gateway.config.LimitsConfig;
import net.passerelle.gateway.config.ForwardingConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.config.UpstreamConfig;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.GatewayFixture;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import net.passerelle.gateway.testing.GatewayTransports;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The proxy against in-process backends: routing, keep-alive, framing, headers, and what happens when backends fail. */
@ParameterizedClass(name = "over {0}")
@MethodSource("net.passerelle.gateway.testing.GatewayTransports#names")
class ProxyBehaviourTest {
    @Parameter
    String transport;
    private StubBackend alice;
    private StubBackend bob;
    private GatewayFixture gateway;

    @BeforeEach
    void start() throws Exception {
        GatewayTransports.assumeAvailable(transport);
        alice = new StubBackend();
        bob = new StubBackend();
        alice.respondWith(StubBackend.text("alice's gallery"));
        bob.respondWith(StubBackend.text("bob's gallery"));
        gateway = gateway(GatewayConfig.defaults());
    }

    private GatewayFixture gateway(GatewayConfig config) throws InterruptedException {
        RoutingTable table = RoutingTable.builder(1)
                .group(Tables.open("srv-12", alice.address()))
                .group(Tables.open("srv-13", bob.address()))
                .host("alice.gallery.example", "srv-12", "alice")
                .host("photos.alice.org", "srv-12", "alice")
                .host("bob.gallery.example", "srv-13", "bob")
                .host("bücher.example", "srv-13", "bob")
                .build();
        return new GatewayFixture(GatewayTransports.on(config, transport), table);
    }

    @AfterEach
    void stop() {
        if (gateway == null) {
            return; // this transport is not available here
        }
        gateway.close();
        alice.close();
        bob.close();
    }

    private static String get(String host) {
        return "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    }

    @Test
    void routesEachHostToItsGroupOverIpv4AndIpv6() throws Exception {
        for (InetSocketAddress listener : new InetSocketAddress[]{gateway.ipv4(), gateway.ipv6()}) {
            try (RawHttp c = new RawHttp(listener)) {
                assertEquals("alice's gallery", c.send(get("alice.gallery.example")).read().bodyText());
                assertEquals("bob's gallery", c.send(get("bob.gallery.example")).read().bodyText());
                assertEquals("alice's gallery", c.send(get("photos.alice.org")).read().bodyText());
            }
        }
    }

    @Test
    void normalisesCaseTrailingDotPortAndIdn() throws Exception {
        try (RawHttp c = gateway.connect()) {
            assertEquals("alice's gallery", c.send(get("ALICE.Gallery.Example.")).read().bodyText());
            assertEquals("alice's gallery", c.send(get("alice.gallery.example:8080")).read().bodyText());
            assertEquals("bob's gallery", c.send(get("xn--bcher-kva.example")).read().bodyText());
            c.send("GET / HTTP/1.1\r\nHost: ".getBytes(StandardCharsets.ISO_8859_1));
            c.send("bücher.example\r\n\r\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("bob's gallery", c.read().bodyText());
        }
    }

    @Test
    void unknownHostGetsOurPageAndNoBackendIsContacted() throws Exception {
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: mallory.example\r\nAccept: text/html\r\n\r\n").read();
            assertEquals(404, r.status());
            assertTrue(r.header("content-type").startsWith("text/html"), r.header("content-type"));
            assertTrue(r.bodyText().contains("gallery"), r.bodyText());
            assertEquals("no-store", r.header("cache-control"));
            // The connection stays usable after a refusal.
            assertEquals("alice's gallery", c.send(get("alice.gallery.example")).read().bodyText());
        }
        assertEquals(1, alice.requestCount());
        assertEquals(0, bob.requestCount());
    }

    @Test
    void absoluteFormTargetThatAgreesWithHostIsForwardedInOriginForm() throws Exception {
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response r = c.send("GET http://alice.gallery.example/picture.php?id=1 HTTP/1.1\r\n"
                    + "Host: alice.gallery.example\r\n\r\n").read();
            assertEquals(200, r.status());
        }
        assertEquals("/picture.php?id=1", alice.take().uri());
    }

    @Test
    void keepAliveOnBothSidesReusesOneBackendConnection() throws Exception {
        try (RawHttp c = gateway.connect()) {
            for (int i = 0; i < 20; i++) {
                assertEquals(200, c.send(get("alice.gallery.example")).read().status());
            }
        }
        assertEquals(20, alice.requestCount());
        assertEquals(1, alice.connectionCount(), "the upstream connection should have been pooled and reused");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttp c = gateway.connect()) {
            c.send(get("alice.gallery.example") + get("bob.gallery.example") + get("mallory.example")
                    + get("alice.gallery.example"));
            assertEquals("alice's gallery", c.read().bodyText());
            assertEquals("bob's gallery", c.read().bodyText());
            assertEquals(404, c.read().status());
            assertEquals("alice's gallery", c.read().bodyText());
        }
    }

    @Test
    void setsForwardingHeadersAndDropsClientSuppliedOnesAndHopByHop() throws Exception {
        try (RawHttp c = gateway.connect()) {
            c.send("GET /a HTTP/1.1\r\nHost: alice.gallery.example\r\nX-Forwarded-For: 6.6.6.6\r\n"
                    + "Forwarded: for=6.6.6.6\r\nX-Forwarded-Host: evil.example\r\nX-Real-IP: 6.6.6.6\r\n"
                    + "Connection: keep-alive, X-Secret-Hop\r\nX-Secret-Hop: 1\r\nKeep-Alive: timeout=5\r\n"
                    + "Proxy-Connection: keep-alive\r\nTE: trailers\r\nUpgrade: websocket\r\n\r\n");
            RawHttp.Response r = c.read();
            assertEquals(200, r.status());
            assertNotNull(r.header("x-request-id"));
            assertTrue(r.header("via").contains("passerelle"));
        }
        StubBackend.Seen seen = alice.take();
        assertEquals("127.0.0.1", seen.header("x-forwarded-for"));
        assertEquals("http", seen.header("x-forwarded-proto"));
        assertEquals("alice.gallery.example", seen.header("x-forwarded-host"));
        assertEquals("for=127.0.0.1;host=alice.gallery.example;proto=http", seen.header("forwarded"));
        assertTrue(seen.header("via").endsWith("1.1 passerelle"));
        assertEquals(32, seen.header("x-request-id").length());
        assertNull(seen.header("x-real-ip"));
        assertNull(seen.header("x-secret-hop"));
        assertNull(seen.header("keep-alive"));
        assertNull(seen.header("proxy-connection"));
        assertNull(seen.header("te"));
        assertNull(seen.header("upgrade"));
        assertEquals("alice.gallery.example", seen.header("host"));
    }

    @Test
    void trustedProxyChainIsExtendedNotReplaced() throws Exception {
        gateway.close();
        gateway = gateway(GatewayConfig.defaults().withForwarding(
                new ForwardingConfig(java.util.List.of("127.0.0.0/8", "::1/128"), null)));
        try (RawHttp c = gateway.connect()) {
            c.send("GET / HTTP/1.1\r\nHost: alice.gallery.example\r\nX-Forwarded-For: 203.0.113.7\r\n"
                    + "X-Request-Id: edge-42\r\n\r\n").read();
        }
        StubBackend.Seen seen = alice.take();
        assertEquals("203.0.113.7, 127.0.0.1", seen.header("x-forwarded-for"));
        assertEquals("edge-42", seen.header("x-request-id"));
    }

    @Test
    void ipv6ClientAddressIsForwardedInBothSyntaxes() throws Exception {
        try (RawHttp c = new RawHttp(gateway.ipv6())) {
            c.send(get("alice.gallery.example")).read();
        }
        StubBackend.Seen seen = alice.take();
        // The canonical text of RFC 5952, as logs and backends write it, not Java's 0:0:0:0:0:0:0:1.
        assertEquals("::1", seen.header("x-forwarded-for"));
        assertTrue(seen.header("forwarded").startsWith("for=\"[::1]\""), seen.header("forwarded"));
    }

    @Test
    void headGetsHeadersWithoutBody() throws Exception {
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response r = c.send("HEAD / HTTP/1.1\r\nHost: alice.gallery.example\r\n\r\n").read(true);
            assertEquals(200, r.status());
            assertEquals(String.valueOf("alice's gallery".length()), r.header("content-length"));
            // If a body had been sent, this second response would not parse.
            assertEquals("alice's gallery", c.send(get("alice.gallery.example")).read().bodyText());
        }
        assertEquals("HEAD", alice.take().method());
    }

    @Test
    void chunkedRequestBodyIsStreamedWhole() throws Exception {
        try (RawHttp c = gateway.connect()) {
            c.send("POST /upload HTTP/1.1\r\nHost: alice.gallery.example\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            assertEquals(200, c.read().status());
        }
        StubBackend.Seen seen = alice.take();
        assertEquals("hello world", seen.body());
        assertEquals("chunked", seen.header("transfer-encoding"));
    }

    @Test
    void fixedLengthBodyIsStreamedWhole() throws Exception {
        try (RawHttp c = gateway.connect()) {
            c.send("PUT /x HTTP/1.1\r\nHost: alice.gallery.example\r\nContent-Length: 11\r\n\r\nhello world");
            assertEquals(200, c.read().status());
        }
        StubBackend.Seen seen = alice.take();
        assertEquals("hello world", seen.body());
        assertEquals("11", seen.header("content-length"));
    }

    @Test
    void expectContinueIsRelayedFromTheBackend() throws Exception {
        try (RawHttp c = gateway.connect()) {
            c.send("POST /upload HTTP/1.1\r\nHost: alice.gallery.example\r\nContent-Length: 5\r\n"
                    + "Expect: 100-continue\r\n\r\n");
            RawHttp.Response interim = c.read();
            assertEquals(100, interim.status());
            c.send("hello");
            assertEquals(200, c.read().status());
        }
        assertEquals("hello", alice.take().body());
    }

    @Test
    void aClientThatShutsItsSendingSideStillGetsItsAnswer() throws Exception {
        try (RawHttp c = gateway.connect()) {
            c.send(get("alice.gallery.example"));
            c.shutdownOutput();
            assertEquals("alice's gallery", c.read().bodyText());
            assertTrue(c.isClosedByPeer());
        }
        try (RawHttp c = gateway.connect()) {
            c.shutdownOutput();
            assertTrue(c.isClosedByPeer(), "an idle half-closed connection is closed");
        }
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: alice.gallery.example\r\nConnection: close\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("close", r.header("connection"));
            assertTrue(c.isClosedByPeer());
        }
    }

    @Test
    void http10ClientGetsACloseDelimitedCopyOfAChunkedResponse() throws Exception {
        alice.respondWith((ctx, req) -> {
            DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
            ctx.write(head);
            ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("part one, ", StandardCharsets.UTF_8)));
            ctx.writeAndFlush(new io.netty.handler.codec.http.DefaultLastHttpContent(
                    Unpooled.copiedBuffer("part two", StandardCharsets.UTF_8)));
        });
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response r = c.send("GET / HTTP/1.0\r\nHost: alice.gallery.example\r\n\r\n").read();
            assertEquals("part one, part two", r.bodyText());
            assertNull(r.header("transfer-encoding"));
        }
    }

    @Test
    void closeDelimitedBackendResponseIsReChunkedForHttp11() throws Exception {
        alice.respondWith(StubBackend.rawThenClose("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end"));
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response r = c.send(get("alice.gallery.example")).read();
            assertEquals("until the end", r.bodyText());
            assertEquals("chunked", r.header("transfer-encoding"));
            // and the client connection is still good
            alice.respondWith(StubBackend.text("again"));
            assertEquals("again", c.send(get("alice.gallery.example")).read().bodyText());
        }
    }

    @Test
    void refusedBackendGives502Page() throws Exception {
        // Port 1 (tcpmux) is reserved and served by nothing here: a connection there is refused at once.
        int deadPort = 1;
        gateway.routes().swap(RoutingTable.builder(2)
                .group(Tables.open("dead", new InetSocketAddress("127.0.0.1", deadPort)))
                .host("alice.gallery.example", "dead", "alice").build());
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: alice.gallery.example\r\nAccept: text/html\r\n\r\n").read();
            assertEquals(502, r.status());
            assertTrue(r.header("content-type").startsWith("text/html"));
        }
    }

    @Test
    void silentBackendGives504AfterTheResponseTimeout() throws Exception {
        gateway.close();
        gateway = gateway(GatewayConfig.defaults().withUpstream(new UpstreamConfig(null, Duration.ofMillis(300), null, null)));
        alice.respondWith(StubBackend.silent());
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response r = c.send(get("alice.gallery.example")).read();
            assertEquals(504, r.status());
        }
    }

    @Test
    void malformedBackendResponseGives502AndTheConnectionIsNotReused() throws Exception {
        alice.respondWith(StubBackend.raw("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"));
        try (RawHttp c = gateway.connect()) {
            assertEquals(502, c.send(get("alice.gallery.example")).read().status());
            alice.respondWith(StubBackend.text("fine now"));
            assertEquals("fine now", c.send(get("alice.gallery.example")).read().bodyText());
        }
        assertEquals(2, alice.connectionCount(), "the connection that carried a malformed response must not be pooled");
    }

    @Test
    void backendDyingMidResponseClosesTheClientConnection() throws Exception {
        alice.respondWith((ctx, req) -> {
            DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 1000);
            // not HTML, so streamed at once (a head the guard holds is GuardHeldResponseTest's)
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
            ctx.write(head);
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("only a part", StandardCharsets.UTF_8)))
                    .addListener(ChannelFutureListener.CLOSE);
        });
        try (RawHttp c = gateway.connect()) {
            c.send(get("alice.gallery.example"));
            java.io.IOException truncated = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, c::read);
            assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
        }
    }

    @Test
    void aGetOnAPooledConnectionTheBackendDropsIsRetriedOnAFreshOne() throws Exception {
        // The backend answers the first request of each connection and drops the connection on the second without
        // answering: exactly what a pooled connection the backend has just timed out looks like. Without the retry
        // every second request would be a 502.
        java.util.Set<io.netty.channel.Channel> served = java.util.concurrent.ConcurrentHashMap.newKeySet();
        alice.respondWith((ctx, req) -> {
            if (served.add(ctx.channel())) {
                StubBackend.text("ok").respond(ctx, req);
            } else {
                ctx.close();
            }
        });
        try (RawHttp c = gateway.connect()) {
            for (int i = 0; i < 5; i++) {
                assertEquals(200, c.send(get("alice.gallery.example")).read().status(), "request " + i);
            }
        }
        assertEquals(9, alice.requestCount(), "four requests were sent twice: once dropped, once answered");
    }

    @Test
    void aRequestInFlightAtACutoverFinishesOnTheOldBackendWhoseConnectionIsThenClosed() throws Exception {
        java.util.concurrent.CompletableFuture<io.netty.channel.ChannelHandlerContext> held = new java.util.concurrent.CompletableFuture<>();
        alice.respondWith((ctx, req) -> held.complete(ctx));
        try (RawHttp c = gateway.connect()) {
            c.send(get("alice.gallery.example"));
            io.netty.channel.ChannelHandlerContext inFlight = held.get(10, java.util.concurrent.TimeUnit.SECONDS);
            // the group moves to bob's server while alice's is still answering
            gateway.routes().swap(RoutingTable.builder(2)
                    .group(Tables.open("srv-12", bob.address()))
                    .host("alice.gallery.example", "srv-12", "alice").build());
            inFlight.executor().execute(() -> StubBackend.text("finished where it started").respond(inFlight, null));
            assertEquals("finished where it started", c.read().bodyText());
            assertEquals("bob's gallery", c.send(get("alice.gallery.example")).read().bodyText());
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (alice.openConnections() > 0 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertEquals(0, alice.openConnections(), "the old backend's connection must not go back to the pool");
    }

    @Test
    void oversizedBodyGets413WithoutContactingTheBackend() throws Exception {
        gateway.close();
        gateway = gateway(GatewayConfig.defaults().withLimits(new LimitsConfig(null, null, null,
                net.passerelle.gateway.config.DataSize.ofBytes(10), null, null, null, null)));
        try (RawHttp c = gateway.connect()) {
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: alice.gallery.example\r\nContent-Length: 11\r\n\r\nhello world").read();
            assertEquals(413, r.status());
        }
        try (RawHttp c = gateway.connect()) {
            c.send("POST / HTTP/1.1\r\nHost: alice.gallery.example\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "b\r\nhello world\r\n0\r\n\r\n");
            assertEquals(413, c.read().status());
            assertTrue(c.isClosedByPeer());
        }
        assertEquals(0, alice.requestCount());
    }

    @Test
    void slowHeadersGet408AndIdleConnectionsAreClosedQuietly() throws Exception {
        gateway.close();
        gateway = gateway(GatewayConfig.defaults().withLimits(new LimitsConfig(null, null, null, null,
                Duration.ofMillis(300), Duration.ofMillis(600), null, null)));
        try (RawHttp c = gateway.connect()) {
            c.send("GET / HTTP/1.1\r\nHost: alice.gal");
            assertEquals(408, c.read().status());
            assertTrue(c.isClosedByPeer());
        }
        try (RawHttp c = gateway.connect()) {
            assertEquals(200, c.send(get("alice.gallery.example")).read().status());
            // Nothing more is sent: the keep-alive timeout closes the connection without a response.
            assertTrue(c.isClosedByPeer());
        }
        assertFalse(alice.requestCount() > 1);
    }
}
