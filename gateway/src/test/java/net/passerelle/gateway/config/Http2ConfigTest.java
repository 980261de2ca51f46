package net.passerelle.gateway.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code http2:} block: the SPEC's keys and their defaults, the limits added to them, strictness. */
class Http2ConfigTest {
    private final ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get);

    @Test
    void defaultsOfferH2OnTlsButNotCleartext() {
        Http2Config h = GatewayConfig.defaults().http2();
        assertTrue(h.enabled());
        assertFalse(h.cleartext());
        assertEquals(128, h.maxConcurrentStreams());
        assertEquals(16384, h.maxHeaderListSize().bytes());
        assertEquals(65535, h.initialWindowSize().bytes());
        assertEquals(128L * 65535, h.effectiveConnectionWindow());
        assertEquals(200, h.maxResetsPerWindow());
        assertEquals(Duration.ofSeconds(30), h.resetWindow());
    }

    @Test
    void theSpecsBlockParses() {
        GatewayConfig c = loader.parse("http2: { enabled: true, maxConcurrentStreams: 64 }\n", "c.yml");
        assertEquals(64, c.http2().maxConcurrentStreams());
        assertFalse(c.http2().cleartext());
    }

    @Test
    void everyKeyParses() {
        GatewayConfig c = loader.parse("""
                http2:
                  enabled: false
                  cleartext: true
                  maxConcurrentStreams: 32
                  maxHeaderListSize: 8KiB
                  initialWindowSize: 256KiB
                  connectionWindowSize: 16MiB
                  maxResetsPerWindow: 50
                  resetWindow: 10s
                  maxSmallContinuationFrames: 8
                  maxQueuedControlFrames: 1000
                  maxConsecutiveEmptyDataFrames: 4
                """, "c.yml");
        Http2Config h = c.http2();
        assertFalse(h.enabled());
        assertTrue(h.cleartext());
        assertEquals(8192, h.maxHeaderListSize().bytes());
        assertEquals(16L << 20, h.effectiveConnectionWindow());
        assertEquals(Duration.ofSeconds(10), h.resetWindow());
        assertEquals(1000, h.maxQueuedControlFrames());
        assertEquals(4, h.maxConsecutiveEmptyDataFrames());
    }

    @Test
    void theExampleFileDocumentsTheDefaults() {
        GatewayConfig c = ConfigLoader.withSystemEnvironment().load(Path.of("../deploy/passerelle.example.yml"));
        assertEquals(GatewayConfig.defaults().http2(), c.http2());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown key             | 'http2:\\n  maxStreams: 10'                | c.yml:2: | unknown key 'http2.maxStreams'
            no streams              | 'http2:\\n  maxConcurrentStreams: 0'       | c.yml:2: | http2.maxConcurrentStreams must be >= 1
            a tiny header list      | 'http2:\\n  maxHeaderListSize: 100'        | c.yml:2: | http2.maxHeaderListSize
            a window over 2^31-1    | 'http2:\\n  initialWindowSize: 2GiB'       | c.yml:2: | http2.initialWindowSize
            resets unbounded        | 'http2:\\n  maxResetsPerWindow: 0'         | c.yml:1: | http2.maxResetsPerWindow
            control frames unbound  | 'http2:\\n  maxQueuedControlFrames: 0'     | c.yml:1: | there is no 'off'
            a string for a flag     | 'http2:\\n  cleartext: "yes"'              | c.yml:2: | http2.cleartext
            """)
    void badValuesNameTheKey(String name, String yaml, String where, String what) {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse(yaml.replace("\\n", "\n"), "c.yml"));
        assertTrue(e.getMessage().startsWith(where.trim()), name + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(what.trim()), name + ": " + e.getMessage());
    }
}
