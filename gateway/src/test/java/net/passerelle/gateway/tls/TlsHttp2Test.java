package net.passerelle.gateway.tls;

import io.netty.handler.codec.http.HttpMethod;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.H2Client;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import net.passerelle.gateway.testing.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.TrustManagerFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * HTTP/2 on the gateway's real TLS listeners: the certificate chosen by SNI from the watched directory, ALPN offering
 * {@code h2} first (as {@code Passerelle} does with {@code http2.enabled}), the TLS session's rules applying to every
 * stream as to an HTTP/1.1 request (a host the certificate does not cover gets 421).
 */
class TlsHttp2Test {
    private static final TestPki PKI = new TestPki();

    @TempDir
    Path dir;
    private StubBackend backend;
    private TlsGateway gateway;

    @BeforeEach
    void setUp() throws Exception {
        backend = new StubBackend();
        TestPki.write(dir, "alice", PKI.issue("alice.gallery.test"), TestPki.KeyForm.PKCS8);
        RoutingTable table = RoutingTable.builder(1).group(Tables.open("g", backend.address()))
                .host("alice.gallery.test", "g", "alice").host("bob.gallery.test", "g", "bob").build();
        gateway = new TlsGateway(dir, null, table, "auto", List.of("h2", "http/1.1"));
    }

    @AfterEach
    void tearDown() {
        gateway.close();
        backend.close();
    }

    private static TrustManagerFactory trust() throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("ca", PKI.ca());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf;
    }

    @Test
    void h2OverTheTlsListenersOfBothFamilies() throws Exception {
        for (InetSocketAddress address : List.of(gateway.tlsV4(), gateway.tlsV6())) {
            try (H2Client client = H2Client.tls(address, trust(), "alice.gallery.test")) {
                assertEquals("h2", client.negotiatedProtocol());
                H2Client.Response r = client.get("alice.gallery.test", "/index.php");
                assertEquals(200, r.status());
                assertEquals("hello from backend", r.body());
            }
            StubBackend.Seen seen = backend.take();
            assertEquals("https", seen.header("x-forwarded-proto"));
            assertEquals("2 passerelle", seen.header("via"));
        }
    }

    @Test
    void aStreamForAHostTheCertificateDoesNotCoverGets421() throws Exception {
        try (H2Client client = H2Client.tls(gateway.tlsV4(), trust(), "alice.gallery.test")) {
            H2Client.Response r = client.send(H2Client.request(HttpMethod.GET, "bob.gallery.test", "/", null))
                    .get(15, TimeUnit.SECONDS);
            assertEquals(421, r.status());
            // the connection goes on for the hosts it does serve
            assertEquals(200, client.get("alice.gallery.test", "/").status());
        }
        assertEquals(1, backend.requestCount());
    }
}
