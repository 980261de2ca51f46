package net.passerelle.gateway.cutover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.health.BackendHealth;
import net.passerelle.gateway.health.HttpProbe;
import net.passerelle.gateway.routing.Backend;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cutover verification against real (in-process) servers, and the cutover that follows it or not. */
class CutoverVerifierTest {
    private static final List<String> HOSTS = List.of("alice.gallery.example", "photos.alice.org");
    private static final String NGINX = "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n"
            + "<body><h1>Welcome to nginx!</h1><p>If you see this page, the nginx web server is successfully installed</p></body></html>";
    private static final String APACHE = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html\">"
            + "<title>Apache2 Debian Default Page: It works</title></head><body>Apache2 Debian Default Page</body></html>";

    private final List<StubBackend> stubs = new ArrayList<>();
    private final HttpProbe probe = new HttpProbe("test-probe");
    private CutoverVerifier verifier;
    private StubBackend current;

    CutoverVerifierTest() throws Exception {
        current = stub(gallery(""));
    }

    @AfterEach
    void stop() {
        if (verifier != null) {
            verifier.close();
        }
        probe.close();
        stubs.forEach(StubBackend::close);
    }

    private StubBackend stub(StubBackend.Responder r) throws InterruptedException {
        return stub(new InetSocketAddress("127.0.0.1", 0), r);
    }

    private StubBackend stub(InetSocketAddress bind, StubBackend.Responder r) throws InterruptedException {
        StubBackend s = new StubBackend(bind);
        s.respondWith(r);
        stubs.add(s);
        return s;
    }

    /** A gallery whose title names the host it was asked for (as Piwigo's does). */
    private static StubBackend.Responder gallery(String suffix) {
        return (ctx, req) -> html(HttpResponseStatus.OK, "<html><head><title>Photos of " + req.header("Host") + suffix
                + "</title></head><body>gallery</body></html>").respond(ctx, req);
    }

    private static StubBackend.Responder html(HttpResponseStatus status, String body) {
        return (ctx, req) -> {
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
            HttpUtil.setContentLength(r, r.content().readableBytes());
            ctx.writeAndFlush(r);
        };
    }

    private CutoverVerifier verifier(CutoverVerifier.Resolver resolver) {
        verifier = new CutoverVerifier(probe, CutoverVerifier.guard(GatewayConfig.defaults().defaultPageGuard()),
                BackendHealth.NONE, resolver, Duration.ofSeconds(2), Clock.systemUTC());
        return verifier;
    }

    private CutoverReport verify(String... newBackends) throws Exception {
        return verify(CutoverVerifier.SYSTEM_RESOLVER, newBackends);
    }

    private CutoverReport verify(CutoverVerifier.Resolver resolver, String... newBackends) throws Exception {
        Backend cur = new Backend(current.hostPort(), current.address());
        return verifier(resolver).verify(HOSTS, List.of(cur), List.of(newBackends), "/").get(10, TimeUnit.SECONDS);
    }

    @Test
    void aNewBackendServingTheSameGalleriesPasses() throws Exception {
        StubBackend next = stub(gallery(""));
        CutoverReport report = verify(next.hostPort());
        assertTrue(report.ok(), report.problems().toString());
        CutoverReport.Check c = report.hosts().get("photos.alice.org").backends().get(next.hostPort()).get(next.hostPort());
        assertEquals(200, c.status());
        assertEquals("Photos of photos.alice.org", c.title());
        assertEquals("Photos of photos.alice.org", report.hosts().get("photos.alice.org").current().title());
        // Each host was asked for with its own Host header, of both backends.
        assertEquals(2, next.all().size());
        assertEquals(List.of("alice.gallery.example", "photos.alice.org"),
                next.all().stream().map(s -> s.header("Host")).sorted().toList());
    }

    @Test
    void aDefaultPageIsRefusedWithAReportNamingHostBackendAndAddress() throws Exception {
        StubBackend nginx = stub(html(HttpResponseStatus.OK, NGINX));
        StubBackend apache = stub((ctx, req) -> ("photos.alice.org".equals(req.header("Host"))
                ? html(HttpResponseStatus.OK, APACHE) : gallery("")).respond(ctx, req));
        CutoverReport report = verify(nginx.hostPort(), apache.hostPort());
        assertFalse(report.ok());
        CutoverReport.Check c = report.hosts().get("alice.gallery.example").backends().get(nginx.hostPort()).get(nginx.hostPort());
        assertEquals("fail", c.verdict());
        assertEquals("default page: Welcome to nginx!", c.reason());
        assertTrue(report.problems().contains("host photos.alice.org, backend " + apache.hostPort() + ", address "
                + apache.hostPort() + ": default page: Apache2 Debian Default Page"), report.problems().toString());
        // The apache one serves alice.gallery.example right: only its other host fails.
        assertTrue(report.hosts().get("alice.gallery.example").backends().get(apache.hostPort()).get(apache.hostPort()).ok());
        assertEquals(3, report.problems().size(), report.problems().toString());
    }

    @Test
    void a5xxIsRefused() throws Exception {
        StubBackend broken = stub(html(HttpResponseStatus.BAD_GATEWAY, "<html><title>Photos of x</title></html>"));
        CutoverReport report = verify(broken.hostPort());
        assertFalse(report.ok());
        assertEquals("HTTP 502", report.hosts().get("alice.gallery.example").backends().get(broken.hostPort())
                .get(broken.hostPort()).reason());
    }

    @Test
    void aDifferentTitleOrStatusClassIsRefused() throws Exception {
        StubBackend other = stub(gallery(" (staging)"));
        StubBackend missing = stub(html(HttpResponseStatus.NOT_FOUND, "<html><title>Photos of alice.gallery.example</title></html>"));
        CutoverReport report = verify(other.hostPort(), missing.hostPort());
        assertFalse(report.ok());
        assertEquals("title 'Photos of alice.gallery.example (staging)' differs from the current backend's "
                        + "'Photos of alice.gallery.example'",
                report.hosts().get("alice.gallery.example").backends().get(other.hostPort()).get(other.hostPort()).reason());
        assertEquals("HTTP 404 where the current backend answers 200",
                report.hosts().get("alice.gallery.example").backends().get(missing.hostPort()).get(missing.hostPort()).reason());
    }

    @Test
    void aBackendNameWithAnIpv6AddressItDoesNotServeIsRefused() throws Exception {
        // The migration-day incident: the new server's name gains an AAAA record the gallery is not served on.
        StubBackend v4only = stub(gallery(""));
        int port = v4only.address().getPort();
        CutoverVerifier.Resolver dual = dualStack("new-server.test");
        CutoverReport report = verify(dual, "new-server.test:" + port);
        assertFalse(report.ok());
        var perAddress = report.hosts().get("alice.gallery.example").backends().get("new-server.test:" + port);
        assertEquals(List.of("127.0.0.1:" + port, "[::1]:" + port), List.copyOf(perAddress.keySet()));
        assertTrue(perAddress.get("127.0.0.1:" + port).ok());
        assertEquals("fail", perAddress.get("[::1]:" + port).verdict());
        assertEquals("connection refused", perAddress.get("[::1]:" + port).reason());
    }

    @Test
    void aBackendWhoseIpv6VirtualHostsServeTheDefaultPageIsRefused() throws Exception {
        StubBackend v4 = stub(gallery(""));
        int port = v4.address().getPort();
        stub(new InetSocketAddress("::1", port), html(HttpResponseStatus.OK, APACHE));
        CutoverReport report = verify(dualStack("new-server.test"), "new-server.test:" + port);
        assertFalse(report.ok());
        assertTrue(report.problems().contains("host alice.gallery.example, backend new-server.test:" + port
                + ", address [::1]:" + port + ": default page: Apache2 Debian Default Page"), report.problems().toString());
        assertTrue(report.hosts().get("alice.gallery.example").backends().get("new-server.test:" + port)
                .get("127.0.0.1:" + port).ok());
    }

    @Test
    void anUnresolvableOrSilentBackendIsRefusedInBoundedTime() throws Exception {
        StubBackend silent = stub(StubBackend.silent());
        long t0 = System.nanoTime();
        CutoverReport report = verify(host -> {
            if (host.endsWith(".test")) {
                throw new UnknownHostException(host);
            }
            return List.of(InetAddress.getByName(host)); // an IP literal: no lookup
        }, "nowhere.test:80", silent.hostPort());
        assertFalse(report.ok());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 5000);
        var host = report.hosts().get("alice.gallery.example");
        assertTrue(host.backends().get("nowhere.test:80").get("-").reason().startsWith("cannot resolve"));
        assertTrue(host.backends().get(silent.hostPort()).get(silent.hostPort()).reason().startsWith("timeout"));
    }

    @Test
    void whenTheCurrentBackendIsDownTheNewOneIsJudgedOnItsOwn() throws Exception {
        current.respondWith(html(HttpResponseStatus.SERVICE_UNAVAILABLE, "down"));
        StubBackend next = stub(gallery(" v2"));
        CutoverReport report = verify(next.hostPort());
        assertTrue(report.ok(), report.problems().toString());
        assertFalse(report.hosts().get("alice.gallery.example").current().usable());
        StubBackend nginx = stub(html(HttpResponseStatus.OK, NGINX));
        assertFalse(verify(nginx.hostPort()).ok(), "default pages are refused with or without a reference");
    }

    @Test
    void theReportSerialisesToJson() throws Exception {
        StubBackend nginx = stub(html(HttpResponseStatus.OK, NGINX));
        CutoverReport report = verify(nginx.hostPort());
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        JsonNode tree = json.readTree(json.writeValueAsString(report));
        assertFalse(tree.get("ok").asBoolean());
        JsonNode check = tree.get("hosts").get("alice.gallery.example").get("backends").get(nginx.hostPort()).get(nginx.hostPort());
        assertEquals("fail", check.get("verdict").asText());
        assertEquals("Welcome to nginx!", check.get("title").asText());
        assertEquals(200, check.get("status").asInt());
    }

    @Test
    void cutoverAppliesOnlyAVerifiedSwitch() throws Exception {
        Backend cur = new Backend(current.hostPort(), current.address());
        StubBackend nginx = stub(html(HttpResponseStatus.OK, NGINX));
        StubBackend good = stub(gallery(""));
        Cutover cutover = new Cutover(verifier(CutoverVerifier.SYSTEM_RESOLVER), Clock.systemUTC());
        AtomicInteger applied = new AtomicInteger();
        List<String> appliedOn = new ArrayList<>();
        Cutover.Apply apply = (group, backends, spares) -> {
            applied.incrementAndGet();
            appliedOn.add(Thread.currentThread().getName());
            assertEquals("srv-12", group);
            assertEquals(List.of(good.hostPort()), backends);
        };

        Cutover.Result refused = cutover.run(new Cutover.Request("srv-12", HOSTS, List.of(cur), List.of(good.hostPort()),
                List.of(nginx.hostPort()), true, "/"), apply).get(10, TimeUnit.SECONDS);
        assertFalse(refused.switched(), "a bad spare is refused too");
        assertNull(refused.switchedAt());
        assertEquals(0, applied.get());

        Cutover.Result done = cutover.run(new Cutover.Request("srv-12", HOSTS, List.of(cur), List.of(good.hostPort()),
                List.of(), true, "/"), apply).get(10, TimeUnit.SECONDS);
        assertTrue(done.switched());
        assertNotNull(done.switchedAt());
        assertTrue(done.report().ok());
        assertEquals(1, applied.get());
        assertEquals(List.of("passerelle-cutover"), appliedOn);

        Cutover.Result unverified = cutover.run(new Cutover.Request("srv-12", HOSTS, List.of(cur), List.of(good.hostPort()),
                List.of(), false, "/"), apply).get(10, TimeUnit.SECONDS);
        assertTrue(unverified.switched());
        assertNull(unverified.report());
    }

    private static CutoverVerifier.Resolver dualStack(String name) {
        return host -> {
            if (!host.equals(name)) {
                throw new UnknownHostException(host);
            }
            return List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"));
        };
    }
}
