package net.passerelle.admin.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupTest {

    static final Instant START = Instant.parse("2026-11-22T08:00:00Z");
    static final Instant END = Instant.parse("2026-11-22T12:00:00Z");

    @Test
    void defaults() {
        Group g = new Group("srv-12", null, null, null, null, 0, null, null, null);
        assertEquals(List.of(), g.backends());
        assertEquals(Mode.OPEN, g.mode());
        assertEquals(WritePolicy.REJECT, g.writes());
        assertEquals("piwigo", g.profile());
        assertEquals(Map.of(), g.message());
        assertNull(g.window());
        assertEquals(Group.DEFAULT_RETRY_AFTER_SECONDS, Group.of("g", List.of()).retryAfterSeconds());
    }

    @Test
    void aWindowInForceOverridesTheStandingMode() {
        Group g = Group.of("srv-12", List.of(Backend.parse("127.0.0.1:8081")))
                .withWindow(new Window(START, END, Mode.READ_ONLY, WritePolicy.QUEUE));
        assertEquals(Mode.OPEN, g.effectiveMode(START.minusNanos(1)));
        assertEquals(Mode.READ_ONLY, g.effectiveMode(START));
        assertEquals(WritePolicy.QUEUE, g.effectiveWrites(END.minusNanos(1)));
        assertEquals(Mode.OPEN, g.effectiveMode(END));
        assertEquals(WritePolicy.REJECT, g.effectiveWrites(END));
        assertNull(g.windowInForce(END));
        Group maintenance = g.withMode(Mode.MAINTENANCE, WritePolicy.REJECT, 60, Map.of());
        assertEquals(Mode.MAINTENANCE, maintenance.effectiveMode(END.plusSeconds(1)));
    }

    @Test
    void validation() {
        for (String bad : new String[] {"", "Srv", "-srv", "srv 12", "a".repeat(64), "srv/12"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Group.of(bad, List.of()));
            assertTrue(e.getMessage().contains("invalid group name"), e.getMessage());
        }
        Group.of("a".repeat(63), List.of());
        Group.of("srv-12.eu_west", List.of());
        Backend b = Backend.parse("127.0.0.1:1");
        assertThrows(IllegalArgumentException.class, () -> Group.of("g", List.of(b, b)));
        assertThrows(IllegalArgumentException.class, () -> Group.of("g", List.of(b)).withBackends(List.of(b), List.of(b)));
        assertThrows(IllegalArgumentException.class, () -> Group.of("g", List.of()).withMode(Mode.OPEN, null, -1, null));
        assertThrows(IllegalArgumentException.class, () -> Group.of("g", List.of()).withProfile("Piwigo"));
        assertThrows(IllegalArgumentException.class, () -> new Window(END, START, Mode.READ_ONLY, null));
        assertThrows(IllegalArgumentException.class, () -> new Window(START, START, Mode.READ_ONLY, null));
        assertThrows(IllegalArgumentException.class, () -> new HostMapping("a.example", "g", " "));
        assertEquals("a.example", new HostMapping("A.Example.", "g", "a").host());
    }

    @Test
    void modesAndPoliciesHaveTheirWireNames() throws Exception {
        assertEquals(Mode.READ_ONLY, Mode.parse("read-only"));
        assertEquals("read-only", Mode.READ_ONLY.wireName());
        assertEquals(WritePolicy.QUEUE, WritePolicy.parse("queue"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mode.parse("READ_ONLY"));
        assertTrue(e.getMessage().contains("open, read-only, maintenance"), e.getMessage());

        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        Group g = new Group("srv-12", List.of(Backend.parse("[::1]:8080")), List.of(), Mode.READ_ONLY, WritePolicy.QUEUE,
                420, Map.of("fr", "Migration"), "piwigo", new Window(START, END, Mode.MAINTENANCE, WritePolicy.REJECT));
        String text = json.writeValueAsString(g);
        assertTrue(text.contains("\"mode\":\"read-only\""), text);
        assertTrue(text.contains("\"start\":\"2026-11-22T08:00:00Z\""), text);
        assertEquals(g, json.readValue(text, Group.class));
    }
}
