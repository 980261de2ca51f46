package net.passerelle.admin.api;

import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.store.JdbcStore;
import net.passerelle.admin.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The confirmer with leases, on an embedded store: it waits for every gateway whose lease was valid at the write,
 * names the one whose lease then ends as {@code lost} as soon as it ends (not at the timeout), names one whose lease
 * stays valid as {@code lagging} at the timeout, and does not wait for one that released its lease.
 * {@code GET /v1/gateways} shows the same states.
 */
class LeaseConfirmationTest {
    @TempDir
    Path dir;
    Store store;

    @BeforeEach
    void open() {
        store = new JdbcStore("jdbc:h2:file:" + dir.resolve("passerelle"), "", "");
        store.putGroup("ops", Group.of("srv-12", List.of()));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aGatewayWhoseLeaseEndsIsNamedLostWithoutWaitingForTheTimeout() throws Exception {
        long v = store.version();
        store.renewLease("gw-ok", v, null, Duration.ofSeconds(30));
        store.renewLease("gw-frozen", v, null, Duration.ofMillis(1500)); // and never again: frozen
        store.renewLease("gw-stopped", v, null, Duration.ofSeconds(30));
        store.releaseLease("gw-stopped");
        try (FleetConfirmer confirmer = new FleetConfirmer(() -> store, Duration.ofSeconds(60), Duration.ofSeconds(3))) {
            confirmer.setNudge(() -> store.renewLease("gw-ok", store.version(), null, Duration.ofSeconds(30)));
            long version = store.setMode("ops", "srv-12", Mode.READ_ONLY, null, null, null);
            // Far below the 60 s timeout: the lost gateway ends the wait when its lease ends.
            FleetConfirmer.Confirmation c = confirmer.await(version).get(30, TimeUnit.SECONDS);
            assertEquals(2, c.gateways(), "gw-ok and gw-frozen; gw-stopped released its lease before the write");
            assertEquals(1, c.applied());
            assertEquals(List.of("gw-frozen"), c.lost());
            assertTrue(c.lagging().isEmpty());
            assertFalse(c.complete());

            Map<String, String> states = states(confirmer, version);
            assertEquals("up-to-date", states.get("gw-ok"));
            assertEquals("lost", states.get("gw-frozen"));
            assertEquals("stopped", states.get("gw-stopped"));
        }
    }

    @Test
    void aGatewayWhoseLeaseStaysValidIsLaggingAtTheTimeout() throws Exception {
        long v = store.version();
        store.renewLease("gw-slow", v, null, Duration.ofSeconds(30));
        try (FleetConfirmer confirmer = new FleetConfirmer(() -> store, Duration.ofMillis(300), Duration.ofSeconds(3))) {
            long version = store.setMode("ops", "srv-12", Mode.MAINTENANCE, null, null, null);
            FleetConfirmer.Confirmation c = confirmer.await(version).get(30, TimeUnit.SECONDS);
            assertEquals(List.of("gw-slow"), c.lagging());
            assertTrue(c.lost().isEmpty());
            assertEquals(List.of("gw-slow"), c.laggards());
            assertEquals("lagging", states(confirmer, version).get("gw-slow"));

            ApiResponse answer = Confirmed.response(confirmer, c, new java.util.LinkedHashMap<>());
            assertEquals(202, answer.status());
            assertTrue(answer.body().toString().contains("lagging=[gw-slow]"), answer.body().toString());
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> states(FleetConfirmer confirmer, long version) throws Exception {
        Router router = new ControlApi(() -> store, confirmer, Clock.systemUTC()).register(new Router());
        Router.Match match = router.match("GET", new String[] {"v1", "gateways"});
        ApiRequest request = new ApiRequest("GET", "/v1/gateways", Map.of(), Map.of(), "test", null, new byte[0]);
        Map<String, Object> body = (Map<String, Object>) match.route().handler().handle(request).get().body();
        Map<String, String> states = new java.util.TreeMap<>();
        for (Map<String, Object> g : (List<Map<String, Object>>) body.get("gateways")) {
            states.put((String) g.get("id"), (String) g.get("state"));
        }
        assertEquals(version, body.get("version"));
        return states;
    }
}
