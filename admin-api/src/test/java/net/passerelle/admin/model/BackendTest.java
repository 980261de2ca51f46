package net.passerelle.admin.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendTest {

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1:8080, 127.0.0.1, 8080, 127.0.0.1:8080",
            "[::1]:8080, ::1, 8080, [::1]:8080",
            "[2001:DB8::12]:80, 2001:db8::12, 80, [2001:db8::12]:80",
            "Srv-12.Internal.:443, srv-12.internal, 443, srv-12.internal:443",
            "localhost:1, localhost, 1, localhost:1",
    })
    void parsesAndPrints(String text, String host, int port, String printed) {
        Backend b = Backend.parse(text);
        assertEquals(host, b.host());
        assertEquals(port, b.port());
        assertEquals(printed, b.toString());
        assertEquals(b, Backend.parse(b.toString()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1|missing port",
            "::1:8080|brackets",
            "[::1]8080|[ipv6]:port",
            "[::1]|[ipv6]:port",
            "host:0|1 to 65535",
            "host:65536|1 to 65535",
            "host:http|not a number",
            ":80|empty host",
            "256.1.1.1:80|not an IPv4 address",
            "1.2.3:80|not an IPv4 address",
            "[zz::1]:80|not an IPv6 address",
            "under_score:80|not a host name",
    })
    void refusesWithAClearMessage(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backend.parse(text));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @Test
    void isWrittenAsAStringInJson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertEquals("\"[::1]:8080\"", json.writeValueAsString(Backend.parse("[::1]:8080")));
        assertEquals(new Backend("::1", 8080), json.readValue("\"[::1]:8080\"", Backend.class));
    }
}
