package net.passerelle.gateway.control;

import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.HostMapping;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.RoutingState;
import net.passerelle.admin.model.Window;
import net.passerelle.admin.model.WritePolicy;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Since when a group is read-only, as the routing table carries it to the notices. */
class RoutingReadOnlySinceTest {
    private static final Instant NOW = Instant.parse("2026-12-01T09:00:00Z");
    private static final Instant STANDING = Instant.parse("2026-12-01T08:02:00Z");

    private static Instant since(Mode mode, Instant recorded, Window window, boolean failSafe) {
        Group g = new Group("srv-12", List.of(Backend.parse("127.0.0.1:80")), List.of(), mode, WritePolicy.QUEUE, 300,
                Map.of(), null, window, recorded);
        RoutingState state = new RoutingState(1, List.of(g), List.of(new HostMapping("a.example", "srv-12", "a")));
        return RoutingTables.fromState(state, NOW, failSafe).group("srv-12").readOnlySince();
    }

    @Test
    void theStandingRecordAWindowsStartOrNothing() {
        assertEquals(STANDING, since(Mode.READ_ONLY, STANDING, null, false));
        Window window = new Window(NOW.minusSeconds(600), NOW.plusSeconds(600), Mode.READ_ONLY, WritePolicy.REJECT);
        assertEquals(window.start(), since(Mode.OPEN, null, window, false), "read-only by its window");
        assertEquals(STANDING, since(Mode.READ_ONLY, STANDING, window, false), "the window only continued it");
        Window maintenance = new Window(NOW.minusSeconds(600), NOW.plusSeconds(600), Mode.MAINTENANCE, WritePolicy.REJECT);
        assertNull(since(Mode.READ_ONLY, STANDING, maintenance, false));
        assertNull(since(Mode.OPEN, null, null, false));
        assertNull(since(Mode.READ_ONLY, STANDING, null, true), "the fail-safe does not know");
        assertNull(since(Mode.READ_ONLY, null, null, false), "read-only from before the time was recorded");
    }
}
