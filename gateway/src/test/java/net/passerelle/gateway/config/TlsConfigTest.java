package net.passerelle.gateway.config;

import net.passerelle.admin.model.HostPort;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code tls:} keys: the SPEC's block, the example file's defaults, strictness. */
class TlsConfigTest {
    private final ConfigLoader loader = new ConfigLoader(Map.of("PASSERELLE_ACME_STORE_KEY", "k")::get);

    @Test
    void theSpecBlockParses() {
        GatewayConfig c = loader.parse("""
                tls:
                  listeners: ["0.0.0.0:8443", "[::]:8443"]
                  certificates: { dir: "./data/certs" }   # NAME.crt (chain) + NAME.key pairs, watched
                  acme:                                   # optional; on-demand certificates for routed hosts
                    directory: "https://acme.example/directory"
                    email: "ops@example.org"
                    caFile: ""                            # extra trust for the ACME server (tests)
                  redirectHttp: true
                """, "spec.yml");
        assertEquals(List.of(HostPort.parse("0.0.0.0:8443"), HostPort.parse("[::]:8443")), c.tls().listeners());
        assertTrue(c.tls().enabled() && c.tls().acme().enabled() && c.tls().redirectHttp());
        assertEquals("ops@example.org", c.tls().acme().email());
        assertNull(c.tls().acme().caFile());
    }

    @Test
    void theExampleFileDocumentsTheDefaults() {
        GatewayConfig example = loader.load(Path.of("../deploy/passerelle.example.yml"));
        TlsConfig defaults = TlsConfig.off();
        assertFalse(example.tls().enabled());
        assertEquals(defaults.certificates(), example.tls().certificates());
        assertEquals(defaults.sessionTimeout(), example.tls().sessionTimeout());
        assertEquals(defaults.acme().handshakeWait(), example.tls().acme().handshakeWait());
        assertEquals(defaults.acme().lockTtl(), example.tls().acme().lockTtl());
        assertEquals("k", example.tls().acme().storeKey());
        assertEquals(Duration.ofSeconds(10), example.tls().handshakeTimeout());
        assertFalse(GatewayConfig.defaults().tls().enabled());
    }

    @Test
    void unknownKeysAndBadValuesNameTheirLine() {
        ConfigException unknown = assertThrows(ConfigException.class, () -> loader.parse("tls:\n  listenrs: []\n", "c.yml"));
        assertTrue(unknown.getMessage().contains("c.yml:") && unknown.getMessage().contains("tls.listenrs"), unknown.getMessage());
        ConfigException provider = assertThrows(ConfigException.class, () -> loader.parse("tls:\n  provider: gnutls\n", "c.yml"));
        assertTrue(provider.getMessage().contains("tls.provider"), provider.getMessage());
        ConfigException url = assertThrows(ConfigException.class,
                () -> loader.parse("tls:\n  acme:\n    directory: ftp://x\n", "c.yml"));
        assertTrue(url.getMessage().contains("tls.acme.directory"), url.getMessage());
    }
}
