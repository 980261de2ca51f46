package net.passerelle.gateway.tls;

import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import net.passerelle.gateway.testing.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What TLS changes on the request path: 421 for a misdirected Host, https in the forwarding headers, 308 from plain. */
class TlsRequestPathTest {
    private static final TestPki PKI = new TestPki();

    @TempDir
    Path dir;
    private StubBackend backend;
    private TlsGateway gateway;

    @BeforeEach
    void setUp() throws Exception {
        backend = new StubBackend();
        TestPki.write(dir, "alice", PKI.issue("alice.gallery.test"), TestPki.KeyForm.PKCS8);
        TestPki.write(dir, "bob", PKI.issue("bob.gallery.test"), TestPki.KeyForm.PKCS8);
        RoutingTable table = RoutingTable.builder(1).group(Tables.open("g", backend.address()))
                .host("alice.gallery.test", "g", "alice").host("bob.gallery.test", "g", "bob")
                .host("plain-only.test", "g", "carol").build();
        gateway = new TlsGateway(dir, null, table);
    }

    @AfterEach
    void tearDown() {
        gateway.close();
        backend.close();
    }

    @Test
    void aHostTheConnectionsCertificateDoesNotCoverGets421AndReachesNoBackend() throws Exception {
        try (TlsClient c = new TlsClient(PKI, gateway.tlsV4(), "alice.gallery.test")) {
            assertEquals(421, c.get("bob.gallery.test", "/").status());
            assertEquals(200, c.get("alice.gallery.test", "/").status(), "the connection goes on for its own host");
        }
        assertEquals(1, backend.requestCount());
    }

    @Test
    void theBackendIsToldTheVisitorCameOverHttpsAndTheVisitorGetsHstsForItsGroup() throws Exception {
        try (TlsClient c = new TlsClient(PKI, gateway.tlsV6(), "alice.gallery.test")) {
            TlsClient.Response r = c.get("alice.gallery.test", "/index.php");
            assertEquals(200, r.status());
            assertTrue(r.head().toLowerCase().contains("strict-transport-security: max-age=15552000\r\n"), r.head());
        }
        try (RawHttp plain = new RawHttp(gateway.plain())) {
            RawHttp.Response r = plain.send("GET / HTTP/1.1\r\nHost: plain-only.test\r\n\r\n").read();
            assertEquals(null, r.header("strict-transport-security"), "never over plain HTTP");
        }
        StubBackend.Seen seen = backend.take();
        assertEquals("https", seen.header("X-Forwarded-Proto"));
        assertTrue(seen.header("Forwarded").endsWith("proto=https"), seen.header("Forwarded"));
    }

    @Test
    void plainHttpForAHostWithACertificateIsRedirectedToTheSameUrl() throws Exception {
        int tlsPort = gateway.tlsV4().getPort();
        try (RawHttp c = new RawHttp(gateway.plain())) {
            RawHttp.Response r = c.send("GET /index.php?/category/12 HTTP/1.1\r\nHost: Alice.Gallery.Test\r\n\r\n").read();
            assertEquals(308, r.status());
            assertEquals("https://alice.gallery.test:" + tlsPort + "/index.php?/category/12", r.header("location"));
            // a host without a certificate, and an ACME challenge, are served over plain HTTP as they are
            assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: plain-only.test\r\n\r\n").read().status());
            assertEquals(200, c.send("GET /.well-known/acme-challenge/abc HTTP/1.1\r\nHost: alice.gallery.test\r\n\r\n")
                    .read().status());
        }
        assertEquals(2, backend.requestCount());
    }
}
