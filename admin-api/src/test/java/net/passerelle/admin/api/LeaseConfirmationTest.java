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

    /**
     * SPEC 18: a gateway that stopped heartbeating is named as lost in the answer, never dropped silently; also when
     * its lease had already ended before the change (killed, frozen or cut off before ops made it). Not waited for.
     * Once ops forget it (DELETE /v1/gateways/{id}, audited), answers are whole again.
     */
    @Test
    void aGatewayLostBeforeTheChangeIsNamedUntilOpsForgetIt() throws Exception {
        long v = store.version();
        store.renewLease("gw-ok", v, null, Duration.ofSeconds(30));
        store.renewLease("gw-gone", v, null, Duration.ofMillis(100)); // and never again
        try (FleetConfirmer confirmer = new FleetConfirmer(() -> store, Duration.ofSeconds(60), Duration.ofSeconds(3))) {
            confirmer.setNudge(() -> store.renewLease("gw-ok", store.version(), null, Duration.ofSeconds(30)));
            // Lost well before the write: longer ago than the margin a wait counts back from the write (a gateway
            // whose lease ended within it is still waited for, and named lost by the existing rule).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!lostFor(FleetConfirmer.WRITE_MARGIN_MS + 500, "gw-gone")) {
                assertTrue(System.nanoTime() < deadline, "gw-gone's 100 ms lease never ended");
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            assertEquals("lost", states(confirmer, store.version()).get("gw-gone"));
            long version = store.setMode("ops", "srv-12", Mode.READ_ONLY, null, null, null);
            FleetConfirmer.Confirmation c = confirmer.await(version).get(30, TimeUnit.SECONDS);
            assertEquals(List.of("gw-gone"), c.lost(), "named, not dropped");
            assertEquals(2, c.gateways());
            assertEquals(1, c.applied());
            assertFalse(c.complete());
            assertEquals(202, Confirmed.response(confirmer, c, new java.util.LinkedHashMap<>()).status());

            Router router = new ControlApi(() -> store, confirmer, Clock.systemUTC()).register(new Router());
            assertEquals(409, call(router, "DELETE", "gw-ok").status(), "a live gateway would come back");
            assertEquals(404, call(router, "DELETE", "gw-never").status());
            ApiResponse forgotten = call(router, "DELETE", "gw-gone");
            assertEquals(200, forgotten.status());
            assertEquals(Map.of("forgotten", "gw-gone", "state", "lost"), forgotten.body());
            assertEquals("gateway.forget", store.audit(1).get(0).action());

            long next = store.setMode("ops", "srv-12", Mode.OPEN, null, null, null);
            FleetConfirmer.Confirmation whole = confirmer.await(next).get(30, TimeUnit.SECONDS);
            assertTrue(whole.complete(), whole.toString());
            assertEquals(1, whole.gateways());
        }
    }

    /** Whether {@code id}'s lease ended over {@code millis} ago by the store's clock. */
    private boolean lostFor(long millis, String id) {
        net.passerelle.admin.model.FleetView view = store.fleet();
        return view.gateways().stream().filter(g -> g.gatewayId().equals(id)).findFirst()
                .map(g -> view.storeNow().isAfter(g.leaseUntil().plusMillis(millis))).orElse(false);
    }

    private static ApiResponse call(Router router, String method, String id) throws Exception {
        Router.Match match = router.match(method, new String[] {"v1", "gateways", id});
        ApiRequest request = new ApiRequest(method, "/v1/gateways/" + id, match.params(), Map.of(), "test", null,
                new byte[0]);
        try {
            return match.route().handler().handle(request).get();
        } catch (ApiException e) {
            return ApiResponse.of(e.status(), Map.of("error", e.getMessage()));
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
