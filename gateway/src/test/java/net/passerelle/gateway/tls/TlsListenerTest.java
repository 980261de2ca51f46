package net.passerelle.gateway.tls;

import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import net.passerelle.gateway.testing.TestPki;
import net.passerelle.gateway.testing.TestPki.KeyForm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real TLS through the gateway: SNI picks each customer's certificate, on IPv4 and IPv6; refusals; reloads. */
class TlsListenerTest {
    private static final TestPki PKI = new TestPki();

    @TempDir
    Path dir;
    private StubBackend backend;
    private TlsGateway gateway;
    private TestPki.Issued alice;
    private TestPki.Issued bob;
    private TestPki.Issued wild;
    private TestPki.Issued exactWild;

    @BeforeEach
    void setUp() throws Exception {
        backend = new StubBackend();
        alice = PKI.issue("alice.gallery.test", "photos.alice.test");
        bob = PKI.issue(true, java.time.Instant.now().minusSeconds(60), java.time.Instant.now().plusSeconds(86400 * 30),
                "bob.gallery.test");
        wild = PKI.issue("*.wild.test");
        exactWild = PKI.issue("exact.wild.test");
        TestPki.write(dir, "alice", alice, KeyForm.PKCS8);
        TestPki.write(dir, "bob", bob, KeyForm.PKCS1_OR_SEC1);   // EC key in SEC 1 form
        TestPki.write(dir, "wild", wild, KeyForm.PKCS1_OR_SEC1); // RSA key in PKCS#1 form
        TestPki.write(dir, "exact", exactWild, KeyForm.PKCS8);
    }

    private void start(String defaultCertificate) throws Exception {
        RoutingTable table = RoutingTable.builder(1).group(Tables.open("g", backend.address()))
                .host("alice.gallery.test", "g", "alice").host("bob.gallery.test", "g", "bob")
                .host("a.wild.test", "g", "w").build();
        gateway = new TlsGateway(dir, defaultCertificate, table);
    }

    @AfterEach
    void tearDown() {
        if (gateway != null) {
            gateway.close();
        }
        backend.close();
    }

    @Test
    void eachCustomerGetsItsOwnCertificateOverIpv4AndIpv6() throws Exception {
        start(null);
        for (InetSocketAddress address : List.of(gateway.tlsV4(), gateway.tlsV6())) {
            try (TlsClient c = new TlsClient(PKI, address, "alice.gallery.test")) {
                assertEquals(alice.serial(), c.served().getSerialNumber());
                TlsClient.Response r = c.get("alice.gallery.test", "/index.php");
                assertEquals(200, r.status());
                assertEquals("hello from backend", r.body());
                assertTrue(List.of("TLSv1.3", "TLSv1.2").contains(c.protocol()));
            }
            try (TlsClient c = new TlsClient(PKI, address, "BOB.gallery.test")) {
                assertEquals(bob.serial(), c.served().getSerialNumber());
                assertEquals(200, c.get("bob.gallery.test", "/").status());
            }
        }
        assertEquals(4, gateway.edge.metrics().handshakes(HandshakeOutcome.OK));
        // certificates by days left, per source: alice, wild and exact have 90 days, bob 30
        assertEquals(3, gateway.meters.get(TlsMetrics.CERTIFICATES).tag("source", "file").tag("days_left", "ge30").gauge().value());
        assertEquals(1, gateway.meters.get(TlsMetrics.CERTIFICATES).tag("source", "file").tag("days_left", "lt30").gauge().value());
        assertEquals(0, gateway.meters.get(TlsMetrics.CERTIFICATES).tag("source", "acme").tag("days_left", "ge30").gauge().value());
    }

    @Test
    void wildcardServesOneLabelAndTheExactNameWins() throws Exception {
        start(null);
        try (TlsClient c = new TlsClient(PKI, gateway.tlsV4(), "a.wild.test")) {
            assertEquals(wild.serial(), c.served().getSerialNumber());
            assertEquals(200, c.get("a.wild.test", "/").status());
        }
        try (TlsClient c = new TlsClient(PKI, gateway.tlsV6(), "exact.wild.test")) {
            assertEquals(exactWild.serial(), c.served().getSerialNumber());
        }
        assertUnrecognized(gateway.tlsV4(), "a.b.wild.test");
        assertUnrecognized(gateway.tlsV4(), "wild.test");
    }

    @Test
    void anUnknownNameFailsWithUnrecognizedNameAndNoCertificate() throws Exception {
        start(null);
        assertUnrecognized(gateway.tlsV4(), "mallory.example");
        assertUnrecognized(gateway.tlsV6(), "mallory.example");
        assertEquals(2, gateway.edge.metrics().handshakes(HandshakeOutcome.UNKNOWN_SNI));
    }

    @Test
    void noSniIsRefusedWithoutADefaultCertificate() throws Exception {
        start(null);
        assertUnrecognized(gateway.tlsV4(), null);
    }

    @Test
    void noSniGetsTheDefaultCertificate() throws Exception {
        start("bob");
        try (TlsClient c = new TlsClient(PKI, gateway.tlsV4(), null)) {
            assertEquals(bob.serial(), c.served().getSerialNumber());
        }
    }

    @Test
    void aRenewedPairIsServedToNewHandshakesWhileOpenConnectionsGoOn() throws Exception {
        start(null);
        LinkedBlockingQueue<CertificateDirectory.Reload> reloads = new LinkedBlockingQueue<>();
        gateway.edge.onReload(reloads::add);
        try (TlsClient open = new TlsClient(PKI, gateway.tlsV4(), "alice.gallery.test")) {
            assertEquals(200, open.get("alice.gallery.test", "/").status());
            TestPki.Issued renewed = PKI.issue("alice.gallery.test", "photos.alice.test");
            TestPki.write(dir, "alice", renewed, KeyForm.PKCS8);
            CertificateDirectory.Reload reload = awaitReload(reloads, "alice");
            assertTrue(reload.loaded(), reload.toString());
            try (TlsClient fresh = new TlsClient(PKI, gateway.tlsV6(), "alice.gallery.test")) {
                assertEquals(renewed.serial(), fresh.served().getSerialNumber());
            }
            assertEquals(200, open.get("alice.gallery.test", "/again").status());
            assertEquals(alice.serial(), open.served().getSerialNumber());
        }
    }

    @Test
    void aBrokenPairIsRefusedAndTheOldOneKeepsServing() throws Exception {
        start(null);
        LinkedBlockingQueue<CertificateDirectory.Reload> reloads = new LinkedBlockingQueue<>();
        gateway.edge.onReload(reloads::add);
        // bob's certificate with another key: a pair that does not belong together
        TestPki.Issued other = PKI.issue("bob.gallery.test");
        TestPki.atomicWrite(dir.resolve("bob.key"), TestPki.pem(other.keys()));
        CertificateDirectory.Reload reload = awaitReload(reloads, "bob");
        assertTrue(!reload.loaded() && reload.detail().contains("bob"), reload.toString());
        try (TlsClient c = new TlsClient(PKI, gateway.tlsV4(), "bob.gallery.test")) {
            assertEquals(bob.serial(), c.served().getSerialNumber());
        }
        // a new pair for a new customer is served once it lands
        TestPki.Issued carol = PKI.issue("carol.gallery.test");
        TestPki.write(dir, "carol", carol, KeyForm.PKCS8);
        assertTrue(awaitReload(reloads, "carol").loaded());
        try (TlsClient c = new TlsClient(PKI, gateway.tlsV4(), "carol.gallery.test")) {
            assertEquals(carol.serial(), c.served().getSerialNumber());
        }
        Files.delete(dir.resolve("carol.crt"));
        Files.delete(dir.resolve("carol.key"));
    }

    private static CertificateDirectory.Reload awaitReload(LinkedBlockingQueue<CertificateDirectory.Reload> q, String name)
            throws InterruptedException {
        for (;;) {
            CertificateDirectory.Reload r = q.poll(20, TimeUnit.SECONDS);
            assertNotNull(r, "no reload of " + name);
            if (r.name().equals(name)) {
                return r;
            }
        }
    }

    private void assertUnrecognized(InetSocketAddress address, String sni) {
        SSLException e = assertThrows(SSLException.class, () -> {
            try (TlsClient c = new TlsClient(PKI, address, sni)) {
                X509Certificate served = c.served();
                throw new AssertionError("served " + served.getSubjectX500Principal() + " for " + sni);
            }
        });
        assertTrue(String.valueOf(e.getMessage()).contains("unrecognized_name"), e.toString());
    }
}
