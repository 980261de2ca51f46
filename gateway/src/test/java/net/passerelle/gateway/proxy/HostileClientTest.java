package net.passerelle.gateway.proxy;

import net.passerelle.gateway.config.LimitsConfig;
import net.passerelle.gateway.config.DataSize;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.GatewayFixture;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that do not play by the rules: what they hold must be released at once, and nothing of a request whose
 * framing breaks may reach a backend. The body and send timeouts are long here (60 s) unless a test is about them,
 * so a release that waited for a timeout would fail the bounded waits below.
 */
class HostileClientTest {
    private static final String HOST = "alice.gallery.example";
    private static final long BOUND_SECONDS = 10;

    private StubBackend backend;
    private GatewayFixture gateway;

    @BeforeEach
    void start() throws Exception {
        backend = new StubBackend();
        gateway = gateway(LimitsConfig.defaults());
    }

    private GatewayFixture gateway(LimitsConfig limits) throws InterruptedException {
        if (gateway != null) {
            gateway.close();
        }
        RoutingTable table = RoutingTable.builder(1)
                .group(Tables.open("srv-12", backend.address()))
                .host(HOST, "srv-12", "alice")
                .build();
        return new GatewayFixture(GatewayConfig.defaults().withLimits(limits), table);
    }

    @AfterEach
    void stop() {
        gateway.close();
        backend.close();
    }

    private static String upload(long length) {
        return "POST /upload.php HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: " + length + "\r\n\r\n";
    }

    private void awaitReleased(String what) {
        assertTrue(gateway.server().clientConnectionsClosed().awaitUninterruptibly(BOUND_SECONDS, TimeUnit.SECONDS),
                what + ": the gateway still holds the client connection");
        assertTrue(backend.openConnectionsClosed().awaitUninterruptibly(BOUND_SECONDS, TimeUnit.SECONDS),
                what + ": the gateway still holds the backend connection");
    }

    @Test
    void anUploadAbandonedMidBodyReleasesBothConnectionsAtOnce() throws Exception {
        // Larger than limits.bufferRequestBody: the request streams, so the backend has its head already.
        try (RawHttp c = gateway.connect()) {
            c.send(upload(1_000_000)).send(new byte[1024]);
            awaitHead();
            c.shutdownOutput();
            assertTrue(c.isClosedByPeer(), "the gateway keeps the abandoned connection open");
        }
        awaitReleased("abandoned streamed upload");
        assertEquals(0, backend.requestCount(), "the backend must never see the truncated request complete");
    }

    @Test
    void aSmallUploadAbandonedMidBodyNeverReachesTheBackend() throws Exception {
        try (RawHttp c = gateway.connect()) {
            c.send(upload(10_000)).send(new byte[1024]);
            c.shutdownOutput();
            assertTrue(c.isClosedByPeer());
        }
        assertTrue(gateway.server().clientConnectionsClosed().awaitUninterruptibly(BOUND_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, backend.headsSeen(), "a body read whole first: the backend sees nothing of an abandoned one");
    }

    /** The first chunk's size line is broken: the request is answered 400 and its head never leaves the gateway. */
    @ParameterizedTest
    @ValueSource(strings = {"zz", "-1", "0x10", "100000000", "10000000000000000", "5;ext\n"})
    void aBrokenChunkSizeReachesNoBackend(String sizeLine) throws Exception {
        try (RawHttp c = gateway.connect()) {
            c.send("POST /comments.php HTTP/1.1\r\nHost: " + HOST + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + sizeLine + "\r\nhello\r\n0\r\n\r\n");
            RawHttp.Response r = c.read();
            assertEquals(400, r.status());
            assertTrue(c.isClosedByPeer());
        }
        try (RawHttp c = gateway.connect()) {
            assertEquals(200, c.send("GET /marker HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status());
        }
        assertEquals("/marker", backend.take().uri(), "the first thing the backend sees is the marker");
        assertEquals(1, backend.headsSeen());
    }

    @Test
    void aClientThatReadsNothingOfItsResponseLosesBothConnectionsAfterTheSendTimeout() throws Exception {
        gateway = gateway(LimitsConfig.defaults().withSendTimeout(Duration.ofSeconds(1)));
        backend.respondWith(StubBackend.stream(64L << 20));
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(gateway.ipv4());
            s.getOutputStream().write(("GET /photo.jpg HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            awaitHead();
            // Reads nothing: the gateway must give up on it rather than hold its backend connection for good.
            assertTrue(backend.openConnectionsClosed().awaitUninterruptibly(BOUND_SECONDS, TimeUnit.SECONDS),
                    "the backend connection of a client that reads nothing is still open");
            assertTrue(gateway.server().clientConnectionsClosed().awaitUninterruptibly(BOUND_SECONDS, TimeUnit.SECONDS));
        }
    }

    @Test
    void aNewConnectionThatSendsNothingIsClosedAfterTheHeaderTimeoutButAServedOneIsKept() throws Exception {
        // The keep-alive timeout stays at its 75 s: only the header timeout can close the silent one in time.
        gateway = gateway(LimitsConfig.defaults().withHeaderReadTimeout(Duration.ofMillis(500)));
        try (RawHttp silent = gateway.connect(); RawHttp served = gateway.connect()) {
            assertEquals(200, served.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status());
            assertEquals(-1, silent.input().read(), "closed without an answer: it asked nothing");
            // The served connection outlived the silent one's deadline and still works.
            assertEquals(200, served.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status());
        }
    }

    @Test
    void aBodyThatTricklesUnderTheMinimumRateGets408() throws Exception {
        // The rate is judged over windows of the idle timeout (2 s here): a byte every 200 ms is 5 bytes/s.
        gateway = gateway(LimitsConfig.defaults().withIdleTimeout(Duration.ofSeconds(2))
                .withMinBodyRate(DataSize.ofBytes(1024)));
        try (RawHttp c = gateway.connect()) {
            c.send(upload(1_000_000)).send(new byte[70_000]);
            InputStream in = c.input();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
            // The slowness under test: one byte at a time until the gateway answers.
            while (in.available() == 0 && System.nanoTime() < deadline) {
                c.send(new byte[1]);
                Thread.sleep(200);
            }
            assertEquals(408, c.read().status());
        }
        awaitReleased("body under the minimum rate");
    }

    @Test
    void connectionsOverTheGlobalCapGetA503AndTheCountComesBack() throws Exception {
        gateway = gateway(LimitsConfig.defaults().withMaxConnections(512, 3));
        List<RawHttp> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawHttp c = gateway.connect();
                open.add(c);
                assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status());
            }
            try (RawHttp fourth = gateway.connect()) {
                assertEquals(503, fourth.read().status());
                assertTrue(fourth.isClosedByPeer());
            }
            RawHttp first = open.remove(0);
            var closed = gateway.server().clientConnectionClosed(first.localAddress());
            first.close();
            assertTrue(closed.awaitUninterruptibly(BOUND_SECONDS, TimeUnit.SECONDS));
            try (RawHttp again = gateway.connect()) {
                assertEquals(200, again.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status());
            }
        } finally {
            for (RawHttp c : open) {
                c.close();
            }
        }
    }

    /** The backend has the head of the streamed request. */
    private void awaitHead() throws InterruptedException {
        backend.awaitHead();
    }
}
