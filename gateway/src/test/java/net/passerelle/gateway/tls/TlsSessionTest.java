package net.passerelle.gateway.tls;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link TlsSession#covers}: what decides 421 Misdirected Request. */
class TlsSessionTest {
    private static final TlsSession SESSION = new TlsSession("TLSv1.3", "TLS_AES_128_GCM_SHA256", "alice.gallery.example",
            "http/1.1", CertificateNames.of(List.of("Alice.Gallery.Example.", "*.alice.org", "photos.bob.example")));

    @ParameterizedTest
    @CsvSource({
            "alice.gallery.example, true",
            "photos.alice.org, true",      // the wildcard stands for one label
            "www.alice.org, true",
            "alice.org, false",            // not the bare domain
            "a.b.alice.org, false",        // nor two labels
            "photos.bob.example, true",    // another SAN of the same certificate
            "bob.gallery.example, false",  // another customer
            "xalice.gallery.example, false",
            "'', false",
    })
    void coversTheCertificatesNamesWildcardsIncluded(String host, boolean covered) {
        assertEquals(covered, SESSION.covers(host));
    }

    @ParameterizedTest
    @CsvSource({"*.example.org, a.example.org, true", "*.example.org, .example.org, false",
            "*.example.org, example.org, false", "a.example.org, a.example.org, true", "a.example.org, b.example.org, false"})
    void oneNameAgainstOneHost(String pattern, String host, boolean matches) {
        assertEquals(matches, CertificateNames.matches(pattern, host));
    }

    @org.junit.jupiter.api.Test
    void exposesWhatTheAccessLogAndForwardingNeed() {
        assertEquals("TLSv1.3", SESSION.protocol());
        assertEquals("TLS_AES_128_GCM_SHA256", SESSION.cipher());
        assertEquals("alice.gallery.example", SESSION.sniName());
        assertEquals("http/1.1", SESSION.alpn());
        assertEquals(List.of("alice.gallery.example", "*.alice.org", "photos.bob.example"), SESSION.certificate().names());
    }
}
