package net.passerelle.gateway.tls.acme;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import net.passerelle.admin.store.CertificateStore;
import net.passerelle.admin.store.JdbcCertificateStore;
import net.passerelle.admin.store.JdbcStore;
import net.passerelle.gateway.Passerelle;
import net.passerelle.gateway.config.StoreConfig;
import net.passerelle.gateway.config.SpoolConfig;
import net.passerelle.gateway.config.ServerConfig;
import net.passerelle.gateway.config.SeedHost;
import net.passerelle.gateway.config.SeedGroup;
import net.passerelle.gateway.config.SeedConfig;
import net.passerelle.gateway.config.AdminConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.admin.model.HostPort;
import net.passerelle.gateway.config.TlsConfig;
import net.passerelle.gateway.testing.Pebble;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.TestDns;
import net.passerelle.gateway.testing.TestPki;
import net.passerelle.gateway.tls.TlsMetrics.OrderOutcome;
import net.passerelle.testing.MariaDbDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ACME on demand against a real ACME server (Debian's pebble), with two gateways on one MariaDB. pebble's HTTP-01
 * validation requests go to gateway B's plain listener, through a relay of the test (pebble needs the port before the
 * gateways start): B's admission answers them, so a challenge published by A is answered through the store.
 */
// The gateways are shared by the tests: the order count of the concurrent test must not see another test's renewal.
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class AcmeFleetTest {
    private static final String TOKEN = "acme-test-token";
    private static final TestPki FILED = new TestPki();

    @TempDir
    static Path dir;
    private static TestDns dns;
    private static HttpServer responder;
    private static Pebble pebble;
    private static StubBackend backend;
    private static String database;
    private static Passerelle a;
    private static Passerelle b;
    private static final AtomicReference<Passerelle> answering = new AtomicReference<>();

    /** One plain-HTTP request to a gateway's listener, as pebble sent it: status and body. */
    private static String[] throughGateway(InetSocketAddress listener, String host, String path) {
        try (java.net.Socket s = new java.net.Socket(listener.getAddress(), listener.getPort())) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int bodyAt = response.indexOf("\r\n\r\n");
            return new String[] {response.substring(9, 12), bodyAt < 0 ? "" : response.substring(bodyAt + 4)};
        } catch (java.io.IOException e) {
            return new String[] {"502", e.toString()};
        }
    }

    @BeforeAll
    static void start() throws Exception {
        dns = new TestDns();
        responder = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        responder.createContext("/", exchange -> {
            Passerelle gateway = answering.get();
            String[] answer = gateway == null ? new String[] {"503", "no gateway yet"}
                    : throughGateway(gateway.listeners().get(0), exchange.getRequestHeaders().getFirst("Host"),
                    exchange.getRequestURI().getRawPath());
            byte[] body = answer[1].getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(Integer.parseInt(answer[0]), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        responder.start();
        pebble = new Pebble(dir.resolve("pebble"), responder.getAddress().getPort(), dns);
        backend = new StubBackend();
        database = MariaDbDatabases.create("passerelle_acme");
        a = Passerelle.start(config("gw-a", true));
        b = Passerelle.start(config("gw-b", false));
        answering.set(b);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {a, b, pebble, backend, dns}) {
            if (c != null) {
                c.close();
            }
        }
        if (responder != null) {
            responder.stop(0);
        }
        MariaDbDatabases.drop(database);
    }

    private static GatewayConfig config(String id, boolean admin) throws Exception {
        Path home = dir.resolve(id);
        Files.createDirectories(home.resolve("certs"));
        TestPki.write(home.resolve("certs"), "filed", FILED.issue("filed.gallery.test"), TestPki.KeyForm.PKCS8);
        TlsConfig tls = new TlsConfig(List.of(HostPort.parse("127.0.0.1:0"), HostPort.parse("[::1]:0")),
                new TlsConfig.CertificatesConfig(home.resolve("certs").toString(), false), null, true, "auto", null, null,
                null, new TlsConfig.AcmeConfig(pebble.directory(), "ops@example.org", pebble.caFile().toString(),
                "fleet secret", Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(1),
                Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMinutes(2)));
        SeedGroup group = new SeedGroup(List.of(HostPort.parse(
                "127.0.0.1:" + backend.address().getPort())), null, null, null, null, null, null);
        return GatewayConfig.defaults()
                .withListeners(List.of(HostPort.parse("127.0.0.1:0")))
                .withAdmin(new AdminConfig(admin, HostPort.parse("127.0.0.1:0"), TOKEN, Duration.ofSeconds(5), null))
                .withStore(new StoreConfig(MariaDbDatabases.url(database), MariaDbDatabases.USER,
                        MariaDbDatabases.PASSWORD, Duration.ofMillis(200), home.resolve("snapshot.json").toString()))
                .withSpool(new SpoolConfig(home.resolve("spool").toString()))
                .withServer(new ServerConfig(1, "auto", id, Duration.ofSeconds(1)))
                .withAccessLog(new net.passerelle.gateway.config.AccessLogConfig(false, null, null, null, null, null, null))
                .withSeed(new SeedConfig(Map.of("g", group), Map.of(
                        "alice.gallery.test", new SeedHost("g", "alice"), "filed.gallery.test", new SeedHost("g", "filed"))))
                .withTls(tls);
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void twoGatewaysAskedAtOnceOrderTheNameOnceAndServeTheSameCertificate() throws Exception {
        double ordersBefore = orders(OrderOutcome.OK);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<X509Certificate> viaA = pool.submit(handshake(a, "alice.gallery.test"));
            Future<X509Certificate> viaB = pool.submit(handshake(b, "alice.gallery.test"));
            X509Certificate ca = viaA.get();
            X509Certificate cb = viaB.get();
            assertEquals(ca.getSerialNumber(), cb.getSerialNumber());
            assertTrue(ca.getIssuerX500Principal().getName().contains("Pebble"), ca.getIssuerX500Principal().getName());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(ordersBefore + 1, orders(OrderOutcome.OK), pebbleLog());
        try (JdbcStore store = new JdbcStore(MariaDbDatabases.url(database), MariaDbDatabases.USER, MariaDbDatabases.PASSWORD)) {
            CertificateStore certs = JdbcCertificateStore.of(store);
            assertTrue(certs.certificate("alice.gallery.test").orElseThrow().keyData().startsWith("gcm1:"));
        }
        // and the request goes through over TLS, on IPv6 too
        try (SSLSocket s = connect(tlsAddress(b, false), "alice.gallery.test")) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: alice.gallery.test\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 200") && answer.endsWith("hello from backend"), answer);
        }
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void aNameThatIsNotRoutedIsNeverOrdered() throws Exception {
        double before = orders(OrderOutcome.REFUSED_UNROUTED);
        SSLException e = assertThrows(SSLException.class, () -> handshake(a, "mallory.gallery.test").call());
        assertTrue(e.getMessage().contains("unrecognized_name"), e.toString());
        assertEquals(before + 1, orders(OrderOutcome.REFUSED_UNROUTED));
        try (JdbcStore store = new JdbcStore(MariaDbDatabases.url(database), MariaDbDatabases.USER, MariaDbDatabases.PASSWORD)) {
            CertificateStore certs = JdbcCertificateStore.of(store);
            assertTrue(certs.orderState("mallory.gallery.test").isEmpty());
            assertTrue(certs.certificate("mallory.gallery.test").isEmpty());
        }
        assertTrue(!pebbleLog().contains("mallory"), pebbleLog());
    }

    @Test
    @org.junit.jupiter.api.Order(3)
    void aGalleryAddedThroughTheApiGetsACertificateThatBothGatewaysServeAndOpsCanRenew() throws Exception {
        JsonNode put = admin("PUT", "/v1/hosts/carol.gallery.test", "{\"group\": \"g\", \"account\": \"carol\"}");
        assertEquals(2, put.get("applied").asInt(), put.toString());
        BigInteger first = handshake(b, "carol.gallery.test").call().getSerialNumber();
        assertEquals(first, handshake(a, "carol.gallery.test").call().getSerialNumber());

        JsonNode list = admin("GET", "/v1/certificates", null);
        assertTrue(list.toString().contains("\"carol.gallery.test\"") && list.toString().contains("\"source\":\"acme\""), list.toString());
        JsonNode renew = admin("POST", "/v1/certificates/carol.gallery.test/renew", null);
        assertEquals("started", renew.get("renewal").asText(), renew.toString());
        BigInteger renewed = awaitNewSerial(b, "carol.gallery.test", first);
        assertNotEquals(first, renewed);
        assertEquals(renewed, awaitNewSerial(a, "carol.gallery.test", first));
    }

    @Test
    @org.junit.jupiter.api.Order(4)
    void aHostWhoseCertificateIsAFileIsNotOrderedThroughAcmeWhenOpsAskForARenewal() throws Exception {
        JsonNode renew = admin("POST", "/v1/certificates/filed.gallery.test/renew", null);
        assertEquals("served from a file", renew.path("error").asText(), renew.toString());
        assertTrue(renew.path("detail").asText().contains("'filed'"), renew.toString());
        try (JdbcStore store = new JdbcStore(MariaDbDatabases.url(database), MariaDbDatabases.USER, MariaDbDatabases.PASSWORD)) {
            CertificateStore certs = JdbcCertificateStore.of(store);
            assertTrue(certs.orderState("filed.gallery.test").isEmpty(), certs.orderState("filed.gallery.test").toString());
        }
        assertTrue(!pebbleLog().contains("filed.gallery.test"), pebbleLog());
    }

    private static BigInteger awaitNewSerial(Passerelle p, String host, BigInteger old) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            BigInteger now = handshake(p, host).call().getSerialNumber();
            if (!now.equals(old)) {
                return now;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);   // pacing between handshakes
        }
        throw new AssertionError("no renewed certificate for " + host + " on " + p.gatewayId() + "\n" + pebbleLog());
    }

    private static double orders(OrderOutcome outcome) {
        return a.tls().metrics().orders(outcome) + b.tls().metrics().orders(outcome);
    }

    private static String pebbleLog() {
        try {
            return pebble.log();
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static InetSocketAddress tlsAddress(Passerelle p, boolean v4) {
        return p.tlsListeners().stream().filter(x -> (x.getAddress() instanceof Inet4Address) == v4).findFirst().orElseThrow();
    }

    private static Callable<X509Certificate> handshake(Passerelle p, String sni) {
        return () -> {
            try (SSLSocket s = connect(tlsAddress(p, true), sni)) {
                return (X509Certificate) s.getSession().getPeerCertificates()[0];
            }
        };
    }

    /** A handshake that trusts anything: pebble's issuing root is made up at its start. */
    private static SSLSocket connect(InetSocketAddress address, String sni) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
        s.connect(address, 5000);
        s.setSoTimeout(90_000);
        SSLParameters params = s.getSSLParameters();
        params.setServerNames(List.of(new SNIHostName(sni)));
        s.setSSLParameters(params);
        s.startHandshake();
        return s;
    }

    private static JsonNode admin(String method, String path, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.adminAddress().getPort() + path))
                .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            r.header("Content-Type", "application/json");
        }
        HttpResponse<String> answer = HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(answer.body());
    }
}
