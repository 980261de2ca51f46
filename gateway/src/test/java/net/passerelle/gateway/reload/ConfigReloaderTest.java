package net.passerelle.gateway.reload;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import net.passerelle.gateway.config.ConfigLoader;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.config.LoggingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigReloaderTest {
    @TempDir
    Path dir;

    @Test
    void aBadFileIsRefusedWithItsLineAndNothingIsApplied() throws Exception {
        Path file = dir.resolve("p.yml");
        Files.writeString(file, "limits:\n  idleTimeout: 60s\n");
        ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get);
        List<GatewayConfig> applied = new ArrayList<>();
        ConfigReloader reloader = new ConfigReloader(file, loader, loader.load(file), (before, after) -> applied.add(after));
        Files.writeString(file, "limits:\n  idleTimeout: 60s\n  maxHeaderCount: lots\n");
        ConfigReloader.Result r = reloader.reload();
        assertFalse(r.loaded());
        assertTrue(r.error().contains("p.yml:3: bad value for 'limits.maxHeaderCount'"), r.error());
        assertTrue(applied.isEmpty());

        Files.writeString(file, "limits:\n  idleTimeout: 5s\nadmin:\n  token: s3cret\n");
        r = reloader.reload();
        assertTrue(r.loaded());
        assertEquals(1, applied.size());
        assertEquals(java.time.Duration.ofSeconds(5), reloader.current().limits().idleTimeout());
        assertEquals(java.util.Set.of("admin.token"), r.needRestart());
        assertTrue(r.changes().stream().anyMatch(c -> c.toString().equals("admin.token: (unset) -> (secret)")), r.changes().toString());
        assertTrue(r.changes().stream().noneMatch(c -> c.toString().contains("s3cret")));
    }

    @Test
    void onlyTheKeysThatAReloadDoesNotApplyAreNamedAsNeedingARestart() throws Exception {
        Path file = dir.resolve("p.yml");
        Files.writeString(file, "limits:\n  keepAliveTimeout: 75s\n");
        ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get);
        ConfigReloader reloader = new ConfigReloader(file, loader, loader.load(file), (before, after) -> { });
        Files.writeString(file, String.join("\n",
                "limits:", "  keepAliveTimeout: 30s", "  maxBufferedMemory: 64MiB",
                "upstream:", "  connectTimeout: 1s",
                "classification:", "  signInDuringReadOnly: false",
                "maintenance:", "  allowNetworks: [\"10.0.0.0/8\"]",
                "tls:", "  hsts:", "    groups: [srv-12]", "  handshakeTimeout: 5s",
                "server:", "  drainTimeout: 10s", ""));
        ConfigReloader.Result r = reloader.reload();
        assertTrue(r.loaded(), r.error());
        assertEquals(8, r.changes().size(), r.changes().toString());
        // Tunables takes classification, maintenance and tls.hsts again; the memory guard is sized once, at start.
        assertEquals(java.util.Set.of("limits.maxBufferedMemory.bytes", "tls.handshakeTimeout", "server.drainTimeout"),
                r.needRestart());
    }

    @Test
    void logLevelsApplyAndALoggerLeavingTheFileGetsItsLevelBack() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        String name = "net.passerelle.test.reloaded";
        assertNull(context.getLogger(name).getLevel());
        LogLevels levels = new LogLevels();
        GatewayConfig before = GatewayConfig.defaults();
        GatewayConfig after = before.withLogging(new LoggingConfig("info", Map.of(name, "debug")));
        levels.reload(before, after);
        assertEquals(Level.DEBUG, context.getLogger(name).getLevel());
        levels.reload(after, before);
        assertNull(context.getLogger(name).getLevel(), "back to inheriting its parent's level");
    }
}
