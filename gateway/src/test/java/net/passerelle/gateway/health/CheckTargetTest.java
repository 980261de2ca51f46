package net.passerelle.gateway.health;

import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.cutover.GuardPageCheck;
import net.passerelle.gateway.e2e.NginxBackend;
import net.passerelle.gateway.routing.Backend;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a health check asks for and what it accepts: a web server's default page is a failed check, and a backend
 * that has no host to be checked with is not probed with its own address (it would get the server's default site
 * and pass for up) but reported {@code unknown}, unless {@code health.host} names one.
 */
class CheckTargetTest {
    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final String NGINX_WELCOME = "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n"
            + "</head>\n<body>\n<h1>Welcome to nginx!</h1>\n</body>\n</html>\n";

    private final List<AutoCloseable> open = new ArrayList<>();
    private final BlockingQueue<HealthTransition> transitions = new LinkedBlockingQueue<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T opened(T c) {
        open.add(c);
        return c;
    }

    private HealthRegistry registry(String host) {
        HealthSettings settings = new HealthSettings(INTERVAL, INTERVAL.dividedBy(4), "/", Duration.ofSeconds(2), 2, 3,
                0, null, host);
        HealthRegistry r = opened(new HealthRegistry(settings, Clock.systemUTC(), true,
                new GuardPageCheck(GatewayConfig.defaults().defaultPageGuard())));
        r.onTransition(transitions::add);
        return r;
    }

    private static GroupRoute group(String name, InetSocketAddress... backends) {
        List<Backend> list = java.util.Arrays.stream(backends).map(a -> new Backend(HealthRegistry.format(a), a)).toList();
        return new GroupRoute(name, list, List.of(), Mode.OPEN, WritePolicy.REJECT, null, 300, Map.of(), "piwigo");
    }

    private HealthTransition next(String what) throws InterruptedException {
        HealthTransition t = transitions.poll(10, TimeUnit.SECONDS);
        assertNotNull(t, "no transition: " + what);
        return t;
    }

    private static long checksSeen(StubBackend b) {
        return b.all().stream().filter(s -> "passerelle-check".equals(s.header("User-Agent"))).count();
    }

    @Test
    void aDefaultPageIsAFailedCheckWhateverItsStatus() throws Exception {
        StubBackend backend = opened(new StubBackend());
        backend.respondWith(StubBackend.html(NGINX_WELCOME));
        HealthRegistry health = registry(null);
        RoutingTable table = RoutingTable.builder(1).group(group("srv-12", backend.address()))
                .host("alice.gallery.example", "srv-12", "alice").build();
        health.track(table.groups(), g -> table.anyHostOf(g.name()));

        HealthTransition down = next("down on the default page");
        assertEquals("down", down.to());
        BackendStatus st = health.status(backend.address());
        assertTrue(st.reason().contains("default page ('Welcome to nginx!')"), st.reason());
        assertEquals("alice.gallery.example", backend.all().get(0).header("Host"));

        backend.respondWith(StubBackend.html("<html><head><title>Alice's photos</title></head></html>"));
        assertEquals("up", next("up once the gallery is served").to());
    }

    @Test
    void aBackendWithoutAHostToCheckWithIsUnknownAndNotProbed() throws Exception {
        StubBackend hostless = opened(new StubBackend());
        StubBackend reference = opened(new StubBackend());
        HealthRegistry health = registry(null);
        RoutingTable table = RoutingTable.builder(1)
                .group(group("empty", hostless.address()))
                .group(group("srv-12", reference.address()))
                .host("alice.gallery.example", "srv-12", "alice").build();
        health.track(table.groups(), g -> table.anyHostOf(g.name()));

        // Both were tracked together; once the reference has had two checks, the other would have had its first.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (checksSeen(reference) < 2 && System.nanoTime() - end < 0) {
            Thread.sleep(5); // polling step of a bounded wait
        }
        assertTrue(checksSeen(reference) >= 2, "the reference backend is checked");
        assertEquals(0, checksSeen(hostless), "never probed with its own address as Host");
        BackendStatus st = health.status(hostless.address());
        assertEquals("unknown", st.health());
        assertTrue(st.available(), "unknown is not down: a group without hosts gets no traffic anyway");
        assertNull(st.lastCheck());
        assertEquals("up", health.status(reference.address()).health());

        // A host added to the group later starts its checks.
        RoutingTable later = RoutingTable.builder(2)
                .group(group("empty", hostless.address()))
                .group(group("srv-12", reference.address()))
                .host("alice.gallery.example", "srv-12", "alice")
                .host("bob.gallery.example", "empty", "bob").build();
        health.track(later.groups(), g -> later.anyHostOf(g.name()));
        end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (checksSeen(hostless) == 0 && System.nanoTime() - end < 0) {
            Thread.sleep(5); // polling step of a bounded wait
        }
        assertEquals("bob.gallery.example", hostless.all().get(0).header("Host"));
    }

    @Test
    void healthHostChecksAGroupWithoutHosts() throws Exception {
        StubBackend hostless = opened(new StubBackend());
        hostless.respondWith(StubBackend.html(NGINX_WELCOME));
        HealthRegistry health = registry("check.gallery.example");
        RoutingTable table = RoutingTable.builder(1).group(group("empty", hostless.address())).build();
        health.track(table.groups(), g -> table.anyHostOf(g.name()));
        assertEquals("down", next("down: the configured host gets a default page").to());
        assertEquals("check.gallery.example", hostless.all().get(0).header("Host"));
    }

    /** The incident itself, on a real nginx: the address alone reaches the default server, which is no gallery. */
    @Test
    void nginxsDefaultSiteIsNotAHealthyGallery() throws Exception {
        NginxBackend nginx = opened(NginxBackend.start(List.of(
                NginxBackend.Vhost.both("alice.gallery.example", "<html><title>Alice</title></html>"))));
        HealthRegistry health = registry(null);
        RoutingTable table = RoutingTable.builder(1)
                .group(group("moved", nginx.ipv4()))     // its host is not configured on this nginx
                .group(group("empty", nginx.ipv6()))     // no host; shares its backend with srv-12
                .group(group("srv-12", nginx.ipv6()))
                .host("bob.gallery.example", "moved", "bob")
                .host("alice.gallery.example", "srv-12", "alice").build();
        health.track(table.groups(), g -> table.anyHostOf(g.name()));

        HealthTransition down = next("bob's backend down");
        assertEquals(HealthRegistry.format(nginx.ipv4()), down.address());
        assertTrue(health.status(nginx.ipv4()).reason().contains("Welcome to nginx!"));
        BackendStatus shared = health.status(nginx.ipv6());
        assertEquals("up", shared.health(), "checked with the host of the group that has one");
        // checked at the same instant as the other, which needed three checks to go down
        assertEquals("HTTP 200", shared.lastCheck());
    }
}
