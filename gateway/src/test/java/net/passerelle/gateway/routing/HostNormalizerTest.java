package net.passerelle.gateway.routing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class HostNormalizerTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(nullValues = "NULL", textBlock = """
            alice.gallery.example,        alice.gallery.example
            Alice.Gallery.Example,        alice.gallery.example
            alice.gallery.example.,       alice.gallery.example
            alice.gallery.example:8080,   alice.gallery.example
            ALICE.GALLERY.EXAMPLE.:80,    alice.gallery.example
            bücher.example,               xn--bcher-kva.example
            XN--BCHER-KVA.example,        xn--bcher-kva.example
            [::1]:8080,                   [::1]
            [::1],                        [::1]
            127.0.0.1:80,                 127.0.0.1
            '',                           NULL
            alice gallery,                NULL
            alice..example,               NULL
            -alice.example,               NULL
            alice-.example,               NULL
            alice.example:port,           NULL
            alice.example:123456,         NULL
            a:b:c,                        NULL
            x@alice.example,              NULL
            alice_example.org,            NULL
            [::1,                         NULL
            """)
    void normalises(String in, String expected) {
        assertEquals(expected, HostNormalizer.normalize(in));
    }

    @Test
    void rawUtf8HeaderBytesAreDecodedAgain() {
        String asHeaderChars = new String("bücher.example".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertEquals("xn--bcher-kva.example", HostNormalizer.normalize(asHeaderChars));
    }

    @Test
    void labelsAndNamesTooLongAreRefused() {
        assertNull(HostNormalizer.normalize("a".repeat(64) + ".example"));
        assertNull(HostNormalizer.normalize(("a".repeat(60) + ".").repeat(5) + "example"));
    }

    @Test
    void aNormalNameIsReturnedWithoutCopying() {
        String host = "alice.gallery.example";
        assertSame(host, HostNormalizer.normalize(host));
    }
}
