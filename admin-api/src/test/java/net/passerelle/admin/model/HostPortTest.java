package net.passerelle.admin.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one host:port parser, for its two uses: an address to listen on, and a backend to connect to. */
class HostPortTest {

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1:8080, 127.0.0.1, 8080, 127.0.0.1:8080",
            "[::1]:8080, ::1, 8080, [::1]:8080",
            "0.0.0.0:8080, 0.0.0.0, 8080, 0.0.0.0:8080",
            "[::]:8080, ::, 8080, [::]:8080",
            "127.0.0.1:0, 127.0.0.1, 0, 127.0.0.1:0",
            "localhost:65535, localhost, 65535, localhost:65535",
            "' 127.0.0.1:9090 ', 127.0.0.1, 9090, 127.0.0.1:9090",
    })
    void listenersTakePortZeroAndWildcards(String text, String host, int port, String printed) {
        HostPort hp = HostPort.parse(text);
        assertEquals(host, hp.host());
        assertEquals(port, hp.port());
        assertEquals(printed, hp.toString());
        assertEquals(hp, HostPort.parse(hp.toString()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|expected host:port",
            "localhost|missing port",
            "::1:8080|brackets",
            "[::1]|[ipv6]:port",
            "[::1]8080|[ipv6]:port",
            "host:65536|0 to 65535",
            "host:-1|not a number",
            "host:http|not a number",
            "host:|not a number",
            ":80|empty host",
    })
    void listenerRefusals(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text));
        assertTrue(e.getMessage().startsWith("bad address '" + text + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1:1, 127.0.0.1, 1",
            "[2001:DB8::12]:80, 2001:DB8::12, 80",
            "srv-12.internal:443, srv-12.internal, 443",
    })
    void backendsNeedARealPort(String text, String host, int port) {
        HostPort hp = HostPort.parseBackend(text);
        assertEquals(host, hp.host(), "the parser keeps the host as written; Backend normalises it");
        assertEquals(port, hp.port());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1:0|1 to 65535",
            "127.0.0.1:65536|1 to 65535",
            "127.0.0.1|missing port",
            "::1:80|brackets",
            "0.0.0.0:80|wildcard",
            "[::]:80|wildcard",
            "[0:0:0:0:0:0:0:0]:80|wildcard",
            "000.0.00.0:80|wildcard",
    })
    void backendRefusals(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostPort.parseBackend(text));
        assertTrue(e.getMessage().startsWith("invalid backend '" + text + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        IllegalArgumentException viaBackend = assertThrows(IllegalArgumentException.class, () -> Backend.parse(text));
        assertEquals(e.getMessage(), viaBackend.getMessage(), "Backend.parse goes through the same parser");
    }

    @ParameterizedTest
    @CsvSource({"0.0.0.1", "10.0.0.0", "::1", "1::", "zero.example", "0.0.0", "zz::1"})
    void onlyTheUnspecifiedAddressesAreWildcards(String host) {
        assertEquals(false, HostPort.isWildcard(host));
    }
}
