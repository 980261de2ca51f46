package net.passerelle.admin.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import org.junit.jupiter.api.Test;

class HostNamesTest {

    @ParameterizedTest
    @CsvSource({
            "alice.gallery.example, alice.gallery.example",
            "Alice.Gallery.EXAMPLE, alice.gallery.example",
            "alice.gallery.example., alice.gallery.example",
            "alice.gallery.example:8080, alice.gallery.example",
            "ALICE.gallery.example.:443, alice.gallery.example",
            "alice.gallery.example:, alice.gallery.example",
            "bücher.example, xn--bcher-kva.example",
            "BÜCHER.example., xn--bcher-kva.example",
            "xn--bcher-kva.example, xn--bcher-kva.example",
            "localhost, localhost",
            "127.0.0.1:8080, 127.0.0.1",
            "[::1]:8080, [::1]",
            "[2001:DB8::1], [2001:db8::1]",
            "a-b.c-d.e, a-b.c-d.e",
            "0.example, 0.example",
    })
    void normalises(String input, String expected) {
        assertEquals(expected, HostNames.normalize(input));
        assertEquals(expected, HostNames.requireValid(input));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a..b", ".a", "-a.example", "a-.example", "under_score.example",
            "a b.example", "a.example:99999", "a.example:80:80", "a.example:http", "::1", "[::1", "[::1]x",
            "[zz::1]", "[fe80::1%eth0]", "[1.2.3.4]", "user@a.example", "a.example/path", "a.example..",
            "a%2eexample"})
    void refuses(String input) {
        assertNull(HostNames.normalize(input));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostNames.requireValid(input));
        assertTrue(e.getMessage().contains("invalid host name"), e.getMessage());
    }

    @Test
    void enforcesLabelAndTotalLengths() {
        String label63 = "a".repeat(63);
        assertEquals(label63 + ".example", HostNames.normalize(label63 + ".example"));
        assertNull(HostNames.normalize("a".repeat(64) + ".example"));
        String name253 = String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61));
        assertEquals(253, name253.length());
        assertEquals(name253, HostNames.normalize(name253));
        assertEquals(name253, HostNames.normalize(name253 + "."));
        assertNull(HostNames.normalize(name253 + "e"));
        assertNull(HostNames.normalize(null));
    }

    @Test
    void aNameInNormalFormIsReturnedAsIs() {
        String host = "alice.gallery.example";
        assertSame(host, HostNames.normalize(host));
    }
}
