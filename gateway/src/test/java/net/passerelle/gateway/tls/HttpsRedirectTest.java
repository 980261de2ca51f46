package net.passerelle.gateway.tls;

import io.netty.handler.ssl.SslContext;
import net.passerelle.gateway.testing.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@link HttpsRedirect}: the 308 Location, or null to serve the plain request as it is. */
class HttpsRedirectTest {
    private final CertificateRegistry registry = new CertificateRegistry(null);

    HttpsRedirectTest() throws Exception {
        TestPki.Issued issued = new TestPki().issue("alice.gallery.test", "*.wild.test");
        SslContext ctx = new SslContexts("jdk", List.of("http/1.1"), 10, java.time.Duration.ofMinutes(1))
                .build(issued.keys().getPrivate(), List.of(issued.leaf()));
        registry.replaceAll(ServedCertificate.Source.FILE, Map.of("alice", new ServedCertificate("alice",
                ServedCertificate.Source.FILE, CertificateNames.of(issued.leaf()), List.of(issued.leaf()), ctx)));
    }

    @AfterEach
    void close() {
        registry.close();
    }

    @Test
    void aHostWithACertificateGoesToHttpsWithItsPathAndQuery() {
        HttpsRedirect r = new HttpsRedirect(true, registry, () -> 443);
        assertEquals("https://alice.gallery.test/picture.php?id=3", r.location("alice.gallery.test", "/picture.php?id=3"));
        assertEquals("https://a.wild.test/", r.location("a.wild.test", "/"));
        assertEquals("https://alice.gallery.test/x?y", r.location("alice.gallery.test", "http://Alice.Gallery.Test:8080/x?y"));
        assertEquals("https://alice.gallery.test/?y", r.location("alice.gallery.test", "http://alice.gallery.test?y"));
        assertEquals("https://alice.gallery.test/", r.location("alice.gallery.test", "http://alice.gallery.test"));
    }

    @Test
    void theTlsPortIsNamedUnless443() {
        HttpsRedirect r = new HttpsRedirect(true, registry, () -> 8443);
        assertEquals("https://alice.gallery.test:8443/", r.location("alice.gallery.test", "/"));
    }

    @Test
    void challengesHostsWithoutACertificateAndRedirectionOffStayPlain() {
        HttpsRedirect r = new HttpsRedirect(true, registry, () -> 443);
        assertNull(r.location("alice.gallery.test", "/.well-known/acme-challenge/abc"));
        assertNull(r.location("bob.gallery.test", "/"));
        assertNull(r.location("wild.test", "/"));
        assertNull(new HttpsRedirect(false, registry, () -> 443).location("alice.gallery.test", "/"));
        assertNull(HttpsRedirect.off().location("alice.gallery.test", "/"));
    }
}
