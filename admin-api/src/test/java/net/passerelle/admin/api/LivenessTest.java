package net.passerelle.admin.api;

import net.passerelle.admin.model.GatewayStatus;
import net.passerelle.admin.store.JdbcStore;
import net.passerelle.admin.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /v1/gateways} and the fleet confirmer judge liveness with one {@link Liveness}, built from the
 * configured TTL: they cannot disagree about who is live, whatever the TTL.
 */
class LivenessTest {
    static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        volatile Instant now = T0;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @TempDir
    Path dir;

    @Test
    void aHeartbeatIsLiveUpToTheTtlInclusive() {
        TestClock clock = new TestClock();
        Liveness liveness = new Liveness(Duration.ofSeconds(10), clock);
        GatewayStatus g = new GatewayStatus("gw", 1, T0, null);
        clock.now = T0.plusSeconds(10);
        assertTrue(liveness.isLive(g));
        clock.now = T0.plusSeconds(10).plusMillis(1);
        assertFalse(liveness.isLive(g));
        assertThrows(IllegalArgumentException.class, () -> new Liveness(Duration.ZERO, clock));
    }

    @Test
    void theGatewaysRouteAndTheConfirmerAgreeWithATtlOtherThanThreeSeconds() throws Exception {
        TestClock clock = new TestClock();
        String url = "jdbc:h2:file:" + dir.resolve("passerelle");
        try (Store store = new JdbcStore(url, "", "", JdbcStore.Options.defaults().withClock(clock));
             FleetConfirmer confirmer = new FleetConfirmer(() -> store, Duration.ZERO, Duration.ofSeconds(10),
                     Duration.ofMillis(20), clock)) {
            Router router = new ControlApi(() -> store, confirmer, clock).register(new Router());
            store.heartbeat("gw-a", store.version(), null);

            clock.now = T0.plusSeconds(5); // older than the old hard-coded 3 s, within the configured 10 s
            assertTrue(liveInRoute(router, "gw-a"));
            assertEquals(1, confirmer.status(store.version()).gateways());

            clock.now = T0.plusSeconds(11);
            assertFalse(liveInRoute(router, "gw-a"));
            assertEquals(0, confirmer.status(store.version()).gateways());
        }
    }

    @SuppressWarnings("unchecked")
    private static boolean liveInRoute(Router router, String id) throws Exception {
        Router.Match match = router.match("GET", new String[]{"v1", "gateways"});
        ApiRequest request = new ApiRequest("GET", "/v1/gateways", Map.of(), Map.of(), "test", null, new byte[0]);
        ApiResponse answer = match.route().handler().handle(request).get();
        List<Map<String, Object>> gateways = (List<Map<String, Object>>) ((Map<String, Object>) answer.body()).get("gateways");
        return gateways.stream().filter(g -> id.equals(g.get("id"))).map(g -> (Boolean) g.get("live")).findFirst().orElseThrow();
    }
}
