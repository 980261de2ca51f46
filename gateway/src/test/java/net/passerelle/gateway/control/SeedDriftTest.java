package net.passerelle.gateway.control;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.HostPort;
import net.passerelle.gateway.Passerelle;
import net.passerelle.gateway.config.SeedHost;
import net.passerelle.gateway.config.SeedGroup;
import net.passerelle.gateway.config.SeedConfig;
import net.passerelle.gateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An edited seed is not silently ignored: at start, each difference between the file's seed and the store is logged,
 * with the word that the store wins and how to apply the file.
 */
class SeedDriftTest {

    @Test
    void aSeedThatDisagreesWithTheStoreIsReportedAtStart(@TempDir Path dir) throws Exception {
        GatewayConfig base = ControlPlaneHarness.config("gw-seed", "jdbc:h2:file:" + dir.resolve("store"), "", "", dir, false);
        GatewayConfig seeded = base.withSeed(seed("127.0.0.1:8081", "read-only"));
        try (Passerelle first = Passerelle.start(seeded)) {
            first.storeSync().store().setMode("ops", "srv-12", Mode.OPEN, null, null, null);
            first.storeSync().store().deleteHost("ops", "bob.gallery.example");
        }
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(StoreSync.class);
        log.start();
        logger.addAppender(log);
        try (Passerelle second = Passerelle.start(base.withSeed(seed("127.0.0.1:9091", "read-only")))) {
            assertEquals(Mode.OPEN, second.routes().get().group("srv-12").mode(), "the store wins");
        } finally {
            logger.detachAppender(log);
        }
        String said = log.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("seed"))
                .findFirst().orElseThrow(() -> new AssertionError("nothing said about the seed"));
        assertTrue(said.contains("the store wins"), said);
        assertTrue(said.contains("PUT /v1/groups/{group}"), said);
        assertTrue(said.contains("seed.groups.srv-12.mode: the file says read-only, the store has open"), said);
        assertTrue(said.contains("seed.groups.srv-12.backends: the file says [127.0.0.1:9091], the store has [127.0.0.1:8081]"), said);
        assertTrue(said.contains("seed.hosts.bob.gallery.example: not in the store"), said);
    }

    @Test
    void aSeedThatAgreesSaysNothing() {
        List<String> none = SeedDrift.differences(SeedModel.groups(seed("127.0.0.1:8081", "open")),
                SeedModel.hosts(seed("127.0.0.1:8081", "open")), SeedModel.state(seed("127.0.0.1:8081", "open")));
        assertEquals(List.of(), none);
    }

    private static SeedConfig seed(String backend, String mode) {
        return new SeedConfig(
                Map.of("srv-12", new SeedGroup(List.of(HostPort.parse(backend)), List.of(), mode, "reject",
                        420, Map.of(), "piwigo")),
                Map.of("alice.gallery.example", new SeedHost("srv-12", "alice"),
                        "bob.gallery.example", new SeedHost("srv-12", "bob")));
    }
}
