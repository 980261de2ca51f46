package net.passerelle.gateway.server;

import io.netty.channel.ChannelHandlerContext;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.GatewayFixture;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Graceful drain at shutdown: stop accepting, close idle connections, let in-flight exchanges finish, then close. */
class GracefulDrainTest {
    private static final String GET_SLOW = "GET /slow HTTP/1.1\r\nHost: alice.gallery.example\r\n\r\n";
    private static final String GET = "GET / HTTP/1.1\r\nHost: alice.gallery.example\r\n\r\n";

    private final StubBackend backend;
    private final GatewayFixture gateway;
    /** Requests to /slow wait here until the test answers them. */
    private final BlockingQueue<ChannelHandlerContext> held = new LinkedBlockingQueue<>();

    GracefulDrainTest() throws InterruptedException {
        backend = new StubBackend();
        backend.respondWith((ctx, req) -> {
            if (req.uri().equals("/slow")) {
                held.add(ctx);
            } else {
                StubBackend.text("fast").respond(ctx, req);
            }
        });
        RoutingTable table = RoutingTable.builder(1).group(Tables.open("srv-12", backend.address()))
                .host("alice.gallery.example", "srv-12", "alice").build();
        gateway = new GatewayFixture(GatewayConfig.defaults(), table);
    }

    @AfterEach
    void stop() {
        gateway.close();
        backend.close();
    }

    @Test
    void drainClosesIdleConnectionsAtOnceAndLetsInFlightRequestsFinishWithConnectionClose() throws Exception {
        try (RawHttp idle = gateway.connect(); RawHttp busy = gateway.connect()) {
            assertEquals("fast", idle.send(GET).read().bodyText()); // now idle, kept alive
            busy.send(GET_SLOW);
            ChannelHandlerContext slow = held.poll(10, TimeUnit.SECONDS);
            assertNotNull(slow, "the slow request reached the backend");

            CompletableFuture<Integer> drained = CompletableFuture.supplyAsync(() -> gateway.server().drain(Duration.ofSeconds(20)));
            assertTrue(idle.isClosedByPeer(), "the idle kept-alive connection is closed at once");
            // The idle connection's close follows the listeners' close: nobody new gets in.
            assertThrows(ConnectException.class, () -> {
                try (Socket s = new Socket()) {
                    s.connect(gateway.ipv4(), 2000);
                }
            });
            assertFalse(drained.isDone(), "the drain waits for the in-flight request");

            StubBackend.text("slow answer").respond(slow, null);
            RawHttp.Response r = busy.read();
            assertEquals(200, r.status());
            assertEquals("slow answer", r.bodyText());
            assertEquals("close", r.header("connection"));
            assertTrue(busy.isClosedByPeer());
            assertEquals(0, drained.get(10, TimeUnit.SECONDS), "nothing had to be cut at the deadline");
            assertEquals(0, gateway.server().openClientConnections());
        }
    }

    @Test
    void whatIsStillBusyAtTheDeadlineIsClosed() throws Exception {
        try (RawHttp busy = gateway.connect()) {
            busy.send(GET_SLOW);
            assertNotNull(held.poll(10, TimeUnit.SECONDS));
            long t0 = System.nanoTime();
            assertEquals(1, gateway.server().drain(Duration.ofMillis(300)));
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 5000);
            assertTrue(busy.isClosedByPeer());
        }
    }

    @Test
    void withNothingOpenDrainReturnsAtOnce() throws IOException {
        long t0 = System.nanoTime();
        assertEquals(0, gateway.server().drain(Duration.ofSeconds(20)));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 5000);
    }
}
