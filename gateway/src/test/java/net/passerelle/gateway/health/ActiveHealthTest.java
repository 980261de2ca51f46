package net.passerelle.gateway.health;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import net.passerelle.admin.model.BackendState;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.admin.model.HostPort;
import net.passerelle.gateway.proxy.ProxyListener;
import net.passerelle.gateway.routing.Backend;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.server.GatewayServer;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;


import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Health checks and passive detection end to end: a real gateway, a backend and a spare, real sockets. */
class ActiveHealthTest {
    private static final String HOST = "alice.gallery.example";
    // Long enough that "within two intervals" keeps its meaning on a loaded 2-core CI machine: a fall of 3 takes one
    // interval plus two fast intervals (a quarter each), which leaves half an interval of slack.
    private static final Duration INTERVAL = Duration.ofMillis(1000);

    private final StubBackend home;
    private final StubBackend spare;
    private HealthRegistry health;
    private GatewayServer gateway;
    private RoutingTableHolder routes;
    private boolean homeClosed;

    ActiveHealthTest() throws InterruptedException {
        home = new StubBackend();
        spare = new StubBackend();
        home.respondWith(StubBackend.text("home"));
        spare.respondWith(StubBackend.text("spare"));
    }

    private void start(HealthSettings settings) throws InterruptedException {
        health = new HealthRegistry(settings);
        GroupRoute g = new GroupRoute("srv-12", List.of(backend(home)), List.of(backend(spare)), Mode.OPEN,
                WritePolicy.REJECT, null, 300, Map.of(), "piwigo");
        RoutingTable table = RoutingTable.builder(1).group(g).host(HOST, "srv-12", "alice").build();
        routes = new RoutingTableHolder(table);
        GatewayConfig config = GatewayConfig.defaults().withListeners(List.of(HostPort.parse("127.0.0.1:0")));
        gateway = new GatewayServer(config, routes, ProxyListener.NOOP).withHealth(health).start();
        health.track(table.groups(), group -> HOST);
    }

    private static Backend backend(StubBackend s) {
        return new Backend(s.hostPort(), s.address());
    }

    private static HealthSettings checks(int passiveFailures) {
        return new HealthSettings(INTERVAL, INTERVAL.dividedBy(4), "/health", Duration.ofMillis(300), 2, 3,
                passiveFailures, null, null);
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (health != null) {
            health.close();
        }
        if (!homeClosed) {
            home.close();
        }
        spare.close();
    }

    private String get() throws Exception {
        try (RawHttp c = new RawHttp(gateway.boundAddresses().get(0))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read();
            return r.status() == 200 ? r.bodyText() : String.valueOf(r.status());
        }
    }

    private String healthOf(StubBackend s) {
        return health.snapshot().get(s.hostPort()).health();
    }

    /** Waits for a condition with a deadline; returns the time it took. */
    private static long await(BooleanSupplier condition, Duration deadline, String what) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                fail("timed out waiting for: " + what);
            }
            Thread.onSpinWait();
            Thread.sleep(5); // polling step of a bounded wait, not a synchronisation
        }
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }

    @Test
    void checksUseTheGroupsHostAndPathOnTheBackends() throws Exception {
        start(checks(0));
        await(() -> home.all().stream().anyMatch(s -> "passerelle-check".equals(s.header("User-Agent"))),
                Duration.ofSeconds(5), "a check on the backend");
        StubBackend.Seen check = home.all().stream().filter(s -> "passerelle-check".equals(s.header("User-Agent")))
                .findFirst().orElseThrow();
        assertEquals("/health", check.uri());
        assertEquals(HOST, check.header("Host"));
        await(() -> spare.all().stream().anyMatch(s -> "/health".equals(s.uri())), Duration.ofSeconds(5),
                "spares are checked too");
        assertEquals("home", get());
    }

    @Test
    void aBackendThatPassesItsChecksGivesThemAsItsReason() throws Exception {
        start(checks(0));
        await(() -> health.snapshot().get(home.hostPort()).lastCheck() != null, Duration.ofSeconds(5), "first check");
        BackendStatus st = health.snapshot().get(home.hostPort());
        assertEquals("up", st.health());
        assertTrue(st.reason().startsWith("check: HTTP 200 ("), "not the reason it had before any check: " + st.reason());
    }

    @Test
    void killingTheOnlyBackendMovesTrafficToTheSpareWithinTwoIntervals() throws Exception {
        start(checks(0)); // passive detection off: this is the checks' doing
        assertEquals("home", get());
        await(() -> health.snapshot().get(home.hostPort()).lastCheck() != null, Duration.ofSeconds(5), "first check");
        home.close();
        homeClosed = true;
        long tookMillis = await(() -> "down".equals(healthOf(home)), Duration.ofSeconds(5), "backend down");
        assertTrue(tookMillis <= 2 * INTERVAL.toMillis(), "down after " + tookMillis + " ms, interval " + INTERVAL);
        assertEquals("spare", get());
        assertEquals("spare", get());
        BackendStatus st = health.snapshot().get(home.hostPort());
        assertTrue(st.reason().startsWith("check: connection refused"), st.reason());
        assertEquals(1, health.transitionsDown());
    }

    @Test
    void aFailingBackendFailsOverAndComesHomeWhenItsChecksPassAgain() throws Exception {
        start(checks(0));
        assertEquals("home", get());
        // The backend's checks fail (503) while it still answers visitors: only the checks move the traffic.
        home.respondWith((ctx, req) -> {
            boolean check = "passerelle-check".equals(req.header("User-Agent"));
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    check ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK,
                    io.netty.buffer.Unpooled.copiedBuffer("home", java.nio.charset.StandardCharsets.UTF_8));
            HttpUtil.setContentLength(r, r.content().readableBytes());
            ctx.writeAndFlush(r);
        });
        await(() -> "down".equals(healthOf(home)), Duration.ofSeconds(5), "backend down");
        assertEquals("check: HTTP 503 not expected (3 in a row)", health.snapshot().get(home.hostPort()).reason());
        assertEquals("spare", get());

        home.respondWith(StubBackend.text("home"));
        long tookMillis = await(() -> "up".equals(healthOf(home)), Duration.ofSeconds(5), "backend up");
        assertTrue(tookMillis <= 2 * INTERVAL.toMillis(), "up after " + tookMillis + " ms");
        assertEquals("home", get());
        assertEquals(1, health.transitionsUp());
    }

    @Test
    void consecutive5xxFromRealTrafficTakeABackendOutBeforeTheChecksDo() throws Exception {
        // Checks pass (they are rare here); visitors get 500s.
        start(new HealthSettings(Duration.ofSeconds(60), null, "/health", Duration.ofMillis(300), 2, 3, 2, null, null));
        home.respondWith((ctx, req) -> {
            boolean check = "passerelle-check".equals(req.header("User-Agent"));
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    check ? HttpResponseStatus.OK : HttpResponseStatus.INTERNAL_SERVER_ERROR);
            HttpUtil.setContentLength(r, 0);
            ctx.writeAndFlush(r);
        });
        assertEquals("500", get());
        assertEquals("500", get());
        assertEquals("down", healthOf(home));
        assertEquals("spare", get());
    }

    @Test
    void drainAndMaintTakeABackendOutAndReadyBringsItBack() throws Exception {
        start(checks(0));
        assertEquals("home", get());
        health.setAdminState(home.address(), BackendState.DRAIN);
        assertEquals("spare", get());
        health.setAdminState(home.address(), BackendState.MAINT);
        int before = home.requestCount();
        assertEquals("spare", get());
        health.setAdminState(home.address(), BackendState.READY);
        // Back from maint: it has to pass its checks first.
        await(() -> "up".equals(healthOf(home)), Duration.ofSeconds(5), "backend up after maint");
        assertEquals("home", get());
        assertTrue(home.requestCount() > before);
    }

    @Test
    void backendsLeavingTheTableHaveTheirIdlePooledConnectionsClosed() throws Exception {
        start(new HealthSettings(Duration.ofSeconds(60), null, null, null, null, null, null, null, null));
        Queue<Channel> visitorConnections = new ConcurrentLinkedQueue<>();
        home.respondWith((ctx, req) -> {
            if (!"passerelle-check".equals(req.header("User-Agent"))) {
                visitorConnections.add(ctx.channel());
            }
            StubBackend.text("home").respond(ctx, req);
        });
        assertEquals("home", get());
        Channel pooled = visitorConnections.peek();
        assertTrue(pooled.isActive(), "kept alive in the gateway's pool");
        GroupRoute moved = new GroupRoute("srv-12", List.of(backend(spare)), List.of(), Mode.OPEN, WritePolicy.REJECT,
                null, 300, Map.of(), "piwigo");
        RoutingTable next = RoutingTable.builder(2).group(moved).host(HOST, "srv-12", "alice").build();
        routes.swap(next);
        health.track(next.groups(), group -> HOST);
        assertTrue(pooled.closeFuture().await(5000), "the gateway closed its idle connection to the old backend");
        assertEquals("spare", get());
    }

}
