package net.passerelle.gateway.control;

import net.passerelle.admin.model.Mode;
import net.passerelle.gateway.Passerelle;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static net.passerelle.gateway.control.ControlPlaneHarness.admin;
import static net.passerelle.gateway.control.ControlPlaneHarness.config;
import static net.passerelle.gateway.control.ControlPlaneHarness.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A window that starts and ends within seconds flips the group's mode on the gateway, on the embedded store. */
class WindowTest {
    static final String HOST = "alice.gallery.example";

    @TempDir
    Path dir;

    @Test
    void aWindowPutsTheGroupInItsModeAtStartAndLiftsItAtEnd() throws Exception {
        try (StubBackend backend = new StubBackend();
             Passerelle gw = Passerelle.start(config("gw-w", "jdbc:h2:file:" + dir.resolve("db").resolve("passerelle"),
                     "", "", dir.resolve("gw"), true))) {
            assertEquals(200, admin(gw, "PUT", "/v1/groups/srv-12", "{\"backends\": [\"" + backend.hostPort() + "\"]}").status());
            assertEquals(200, admin(gw, "PUT", "/v1/hosts/" + HOST, "{\"group\": \"srv-12\", \"account\": \"alice\"}").status());
            Instant start = Instant.now().plusMillis(1500).truncatedTo(ChronoUnit.MILLIS);
            Instant end = start.plusMillis(1500);
            var put = admin(gw, "PUT", "/v1/groups/srv-12/window",
                    "{\"start\": \"" + start + "\", \"end\": \"" + end + "\", \"mode\": \"read-only\"}");
            assertEquals(200, put.status(), put.body());
            long version = put.json().get("version").asLong();
            assertEquals(Mode.OPEN, group(gw).mode(), "before the window");

            ControlPlaneHarness.await("window starts", Duration.ofSeconds(5), () -> group(gw).mode() == Mode.READ_ONLY);
            Instant seenAt = Instant.now();
            assertTrue(!seenAt.isBefore(start), "not before the start");
            assertTrue(seenAt.isBefore(start.plusSeconds(1)), "within a second of the start: " + seenAt + " vs " + start);
            assertEquals(end, group(gw).modeEndsAt());
            var refused = post(gw, HOST);
            if (Instant.now().isBefore(end)) {
                assertEquals(503, refused.status(), refused.bodyText());
            }

            ControlPlaneHarness.await("window ends", Duration.ofSeconds(5), () -> group(gw).mode() == Mode.OPEN);
            assertTrue(Instant.now().isBefore(end.plusSeconds(1)), "within a second of the end");
            assertNull(group(gw).modeEndsAt());
            assertEquals(version, gw.routes().get().version(), "windows apply without a store change");
            assertEquals(200, post(gw, HOST).status());
        }
    }

    private static GroupRoute group(Passerelle gw) {
        return gw.routes().get().group("srv-12");
    }
}
