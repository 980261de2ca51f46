package net.passerelle.gateway.e2e;

import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.GatewayFixture;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway in front of two real nginx servers, as on the day of the incident: srv-12 is nginx A, reached over
 * IPv4; srv-13 is nginx B, reached over IPv6, where one of bob's host names has a virtual host on B's IPv4 address
 * only (the mistake that showed visitors a default page). Every host is asked over both gateway listeners.
 */
class NginxBackendRoutingTest {
    private static final String ALICE_PAGE = "<!DOCTYPE html><html><head><title>alice's gallery</title></head><body>alice's gallery</body></html>\n";
    private static final String BOB_PAGE = "<!DOCTYPE html><html><head><title>bob's gallery</title></head><body>bob's gallery</body></html>\n";

    private static NginxBackend nginxA;
    private static NginxBackend nginxB;
    private static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        nginxA = NginxBackend.start(List.of(NginxBackend.Vhost.both("alice.gallery.example", ALICE_PAGE)));
        nginxB = NginxBackend.start(List.of(NginxBackend.Vhost.both("bob.gallery.example", BOB_PAGE),
                new NginxBackend.Vhost("photos.bob.org", BOB_PAGE, true, false)));
        RoutingTable table = RoutingTable.builder(1)
                .group(Tables.open("srv-12", nginxA.ipv4()))
                .group(Tables.open("srv-13", nginxB.ipv6()))
                .host("alice.gallery.example", "srv-12", "alice")
                .host("bob.gallery.example", "srv-13", "bob")
                // known to the gateway, unknown to nginx A: A answers with its default server
                .host("carol.gallery.example", "srv-12", "carol")
                // B serves it on its IPv4 address only; the gateway reaches B over IPv6
                .host("photos.bob.org", "srv-13", "bob")
                .build();
        gateway = new GatewayFixture(GatewayConfig.defaults(), table);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (nginxA != null) {
            nginxA.close();
        }
        if (nginxB != null) {
            nginxB.close();
        }
    }

    private static RawHttp.Response get(InetSocketAddress to, String host) throws IOException {
        try (RawHttp c = new RawHttp(to)) {
            return c.send("GET / HTTP/1.1\r\nHost: " + host + "\r\nAccept: text/html\r\n\r\n").read();
        }
    }

    private static List<InetSocketAddress> listeners() {
        return List.of(gateway.ipv4(), gateway.ipv6());
    }

    @Test
    void nginxRunsOnTheSocketsTheLauncherBoundForIt() throws Exception {
        // Asked directly: answered at all (the kernel-chosen ports are nginx's), by the listener asked.
        assertEquals("127.0.0.1:" + nginxA.ipv4().getPort(), get(nginxA.ipv4(), "alice.gallery.example").header("x-served-by"));
        assertEquals("::1:" + nginxB.ipv6().getPort(), get(nginxB.ipv6(), "bob.gallery.example").header("x-served-by"));
        for (NginxBackend n : List.of(nginxA, nginxB)) {
            assertTrue(n.errorLog().contains("using inherited sockets from"), n.errorLog());
            assertTrue(n.isAlive());
        }
    }

    @Test
    void eachHostReachesItsServerOverBothListeners() throws Exception {
        for (InetSocketAddress listener : listeners()) {
            RawHttp.Response alice = get(listener, "alice.gallery.example");
            assertEquals(200, alice.status(), listener.toString());
            assertEquals(ALICE_PAGE, alice.bodyText());
            assertEquals("127.0.0.1:" + nginxA.ipv4().getPort(), alice.header("x-served-by"), "srv-12 is A over IPv4");
            assertTrue(alice.header("server").startsWith("nginx"), alice.header("server"));

            RawHttp.Response bob = get(listener, "bob.gallery.example");
            assertEquals(200, bob.status(), listener.toString());
            assertEquals(BOB_PAGE, bob.bodyText());
            assertEquals("::1:" + nginxB.ipv6().getPort(), bob.header("x-served-by"), "srv-13 is B over IPv6");

            // normalised names route the same
            assertEquals(ALICE_PAGE, get(listener, "Alice.Gallery.Example.:80").bodyText());
        }
    }

    @Test
    void keepAliveCarriesRequestsForBothServersOnOneClientConnection() throws Exception {
        for (InetSocketAddress listener : listeners()) {
            try (RawHttp c = new RawHttp(listener)) {
                for (int i = 0; i < 5; i++) {
                    assertEquals(ALICE_PAGE, c.send("GET / HTTP/1.1\r\nHost: alice.gallery.example\r\n\r\n").read().bodyText());
                    assertEquals(BOB_PAGE, c.send("GET / HTTP/1.1\r\nHost: bob.gallery.example\r\n\r\n").read().bodyText());
                }
                RawHttp.Response missing = c.send("GET /no-such-photo.jpg HTTP/1.1\r\nHost: alice.gallery.example\r\n\r\n").read();
                assertEquals(404, missing.status(), "nginx's own 404 for a missing file passes through");
                assertTrue(missing.bodyText().contains("nginx"), missing.bodyText());
            }
        }
    }

    @Test
    void unknownHostGetsOurPageAndNeverReachesNginx() throws Exception {
        for (InetSocketAddress listener : listeners()) {
            RawHttp.Response r = get(listener, "mallory.gallery.example");
            assertEquals(404, r.status());
            assertFalse(r.bodyText().contains("nginx"), r.bodyText());
            assertTrue(r.bodyText().contains("gallery"), r.bodyText());
            assertEquals(null, r.header("x-served-by"));
        }
        // A request closed by nginx is logged before nginx closes it: once these two have ended, the access logs
        // hold every request the servers finished, and the unknown host is in neither.
        for (NginxBackend n : List.of(nginxA, nginxB)) {
            try (RawHttp c = new RawHttp(n.ipv4())) {
                c.send("GET /marker HTTP/1.1\r\nHost: marker.example\r\nConnection: close\r\n\r\n").read();
                assertTrue(c.isClosedByPeer());
            }
            List<String> log = n.accessLog();
            assertTrue(log.stream().anyMatch(l -> l.startsWith("marker.example ")), log.toString());
            assertTrue(log.stream().noneMatch(l -> l.contains("mallory")), log.toString());
        }
    }

    @Test
    void aKnownHostWithoutAVirtualHostGetsTheNoticeNotTheWelcomePage() throws Exception {
        // The premise, asked of nginx directly: these hosts get nginx's default server there.
        assertTrue(get(nginxA.ipv4(), "carol.gallery.example").bodyText().contains("Welcome to nginx!"));
        assertTrue(get(nginxB.ipv6(), "photos.bob.org").bodyText().contains("Welcome to nginx!"));
        assertEquals(BOB_PAGE, get(nginxB.ipv4(), "photos.bob.org").bodyText(), "B serves it on IPv4 only");

        for (InetSocketAddress listener : listeners()) {
            for (String host : List.of("carol.gallery.example", "photos.bob.org")) {
                RawHttp.Response r = get(listener, host);
                assertEquals(502, r.status(), host + " via " + listener);
                assertTrue(r.header("content-type").startsWith("text/html"), r.header("content-type"));
                assertFalse(r.bodyText().contains("Welcome to nginx"), r.bodyText());
                assertFalse(r.bodyText().contains("nginx.org"), r.bodyText());
                assertEquals(null, r.header("x-served-by"), "nothing of nginx's answer passes");
            }
        }
        // and the gateway asked nginx (the guard judged its answer, it did not guess)
        try (RawHttp c = new RawHttp(nginxA.ipv4())) {
            c.send("GET /marker HTTP/1.1\r\nHost: marker.example\r\nConnection: close\r\n\r\n").read();
        }
        assertTrue(nginxA.accessLog().stream().anyMatch(l -> l.startsWith("carol.gallery.example GET / 200")),
                nginxA.accessLog().toString());
    }

    @Test
    void headOfAGalleryPageIsAnsweredWithoutBody() throws Exception {
        for (InetSocketAddress listener : listeners()) {
            try (RawHttp c = new RawHttp(listener)) {
                RawHttp.Response head = c.send("HEAD / HTTP/1.1\r\nHost: bob.gallery.example\r\n\r\n").read(true);
                assertEquals(200, head.status());
                assertEquals(String.valueOf(BOB_PAGE.length()), head.header("content-length"));
                assertEquals(BOB_PAGE, c.send("GET / HTTP/1.1\r\nHost: bob.gallery.example\r\n\r\n").read().bodyText());
            }
        }
    }
}
