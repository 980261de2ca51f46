package net.passerelle.gateway.proxy;

import io.netty.channel.ChannelHandlerContext;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.config.ServerConfig;
import net.passerelle.gateway.config.UpstreamConfig;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.Await;
import net.passerelle.gateway.testing.GatewayFixture;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * {@code upstream.maxPendingPerBackend}: a backend is sent at most so many requests it has not answered; the rest
 * wait in the gateway, in turn by client address, for at most {@code upstream.queueTimeout}. The slow-read attack
 * (benchmarks/attacks) is what this is for: without it, 2,400 new connections fill the backend's accept queue and a
 * visitor from another address waits behind all of them.
 */
class BackendLineTest {
    private StubBackend backend;
    private GatewayFixture gateway;
    /** Requests the backend holds unanswered, oldest first; the test answers them one at a time. */
    private final LinkedBlockingQueue<ChannelHandlerContext> held = new LinkedBlockingQueue<>();
    private final List<RawHttp> clients = new ArrayList<>();

    @BeforeEach
    void backend() throws Exception {
        backend = new StubBackend();
        backend.respondWith((ctx, seen) -> held.add(ctx));
    }

    private void gateway(int maxPending, Duration queueTimeout) throws InterruptedException {
        GatewayConfig config = GatewayConfig.defaults()
                .withServer(new ServerConfig(1, null, null, null))
                .withUpstream(new UpstreamConfig(null, null, null, null, null, null, maxPending, queueTimeout));
        RoutingTable table = RoutingTable.builder(1)
                .group(Tables.open("srv-12", backend.address()))
                .host("alice.gallery.example", "srv-12", "alice")
                .build();
        gateway = new GatewayFixture(config, table);
    }

    @AfterEach
    void stop() throws IOException {
        for (RawHttp c : clients) {
            c.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        backend.close();
    }

    private RawHttp get(String from, String path) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.connect(gateway.ipv4(), 5000);
        RawHttp c = new RawHttp(s);
        clients.add(c);
        return c.send("GET " + path + " HTTP/1.1\r\nHost: alice.gallery.example\r\n\r\n");
    }

    private void answerOldest() throws InterruptedException {
        ChannelHandlerContext ctx = held.poll(10, TimeUnit.SECONDS);
        assertNotNull(ctx, "the backend holds no request to answer");
        StubBackend.text("done").respond(ctx, null);
    }

    private int waiting() {
        return gateway.server().upstreams().waiting();
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, Duration.ofSeconds(10), condition);
    }

    /** The backend has received {@code n} whole requests (its head count runs ahead of its list of them). */
    private void awaitSeen(int n) {
        await(n + " requests at the backend", () -> backend.all().size() >= n);
    }

    private List<String> pathsSeen() {
        return backend.all().stream().map(StubBackend.Seen::uri).toList();
    }

    @Test
    void aVisitorIsServedInTurnNotBehindAnotherAddressesBacklog() throws Exception {
        gateway(2, Duration.ofSeconds(30));
        List<RawHttp> attackers = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            attackers.add(get("127.0.0.1", "/a" + i));
        }
        awaitSeen(2);
        await("three attacker requests wait in the gateway", () -> waiting() == 3);
        RawHttp visitor = get("127.0.0.2", "/v");
        await("the visitor waits too", () -> waiting() == 4);
        assertEquals(List.of("/a1", "/a2"), pathsSeen().stream().sorted().toList(), "two unanswered requests at most reach the backend");

        answerOldest();
        awaitSeen(3);
        answerOldest();
        awaitSeen(4);
        assertEquals("/v", pathsSeen().get(3), "after one more of the attacker's, it is the visitor's turn: " + pathsSeen());
        answerOldest();
        answerOldest();
        assertEquals(200, visitor.read().status());
        assertEquals(4 + 2, awaitAllAnswered(attackers));
    }

    /** Answers whatever arrives until every attacker has its response; returns the heads the backend saw. */
    private int awaitAllAnswered(List<RawHttp> attackers) throws Exception {
        for (int i = 0; i < 2; i++) {
            answerOldest();
        }
        for (RawHttp a : attackers) {
            assertEquals(200, a.read().status());
        }
        return backend.all().size();
    }

    @Test
    void aClientThatLeavesTheLineDoesNotTakeAnotherOnesTurn() throws Exception {
        gateway(1, Duration.ofSeconds(30));
        RawHttp first = get("127.0.0.1", "/a1");
        awaitSeen(1);
        RawHttp quitter = get("127.0.0.1", "/a2");
        await("the second request waits", () -> waiting() == 1);
        RawHttp visitor = get("127.0.0.2", "/v");
        await("the visitor waits", () -> waiting() == 2);
        quitter.close();
        await("the quitter left the line", () -> waiting() == 1);

        answerOldest();
        assertEquals(200, first.read().status());
        awaitSeen(2);
        assertEquals(List.of("/a1", "/v"), pathsSeen());
        answerOldest();
        assertEquals(200, visitor.read().status());

        assertANewRequestIsServed(3, "no slot was lost to the one who left");
    }

    /** A fresh request reaches the backend (its {@code seen}-th) and is answered: no slot leaked before it. */
    private void assertANewRequestIsServed(int seen, String why) throws Exception {
        RawHttp later = get("127.0.0.1", "/later");
        awaitSeen(seen);
        answerOldest();
        assertEquals(200, later.read().status(), why);
    }

    @Test
    void aRequestThatWaitsTheWholeQueueTimeoutGetsA503AndNeverReachesTheBackend() throws Exception {
        gateway(1, Duration.ofMillis(300));
        RawHttp first = get("127.0.0.1", "/a1");
        awaitSeen(1);
        RawHttp second = get("127.0.0.1", "/a2");
        RawHttp.Response r = second.read();
        assertEquals(503, r.status());
        assertNotNull(r.header("retry-after"));
        assertEquals(0, waiting());
        assertEquals(List.of("/a1"), pathsSeen());

        answerOldest();
        assertEquals(200, first.read().status());
        assertANewRequestIsServed(2, "the timed-out request gave its place back");
    }
}
