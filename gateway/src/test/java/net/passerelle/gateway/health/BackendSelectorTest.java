package net.passerelle.gateway.health;

import net.passerelle.admin.model.BackendState;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.routing.Backend;
import net.passerelle.gateway.routing.GroupRoute;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backend selection with failover: round robin over what is available, spares when nothing is, home when possible. */
class BackendSelectorTest {
    private static final Backend A = backend(8001);
    private static final Backend B = backend(8002);
    private static final Backend S1 = backend(9001);
    private static final Backend S2 = backend(9002);

    private static Backend backend(int port) {
        return new Backend("10.0.0.1:" + port, new InetSocketAddress("10.0.0.1", port));
    }

    private static GroupRoute group(List<Backend> backends, List<Backend> spares) {
        return new GroupRoute("g", backends, spares, Mode.OPEN, WritePolicy.REJECT, null, 300, Map.of(), "piwigo");
    }

    /** Health by hand: a set of down backends and a set taken out by ops. */
    private static final class Fake implements BackendHealth {
        final Set<Backend> down = new HashSet<>();
        final Set<Backend> out = new HashSet<>();

        @Override
        public boolean available(Backend b) {
            return !down.contains(b) && !out.contains(b);
        }

        @Override
        public boolean lastResort(Backend b) {
            return !out.contains(b);
        }
    }

    private static List<Backend> pick(GroupRoute g, BackendHealth h, int n) {
        List<Backend> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(BackendSelector.select(g, h));
        }
        return out;
    }

    @Test
    void roundRobinOverBackendsWhileAllAreUpAndSparesStayIdle() {
        GroupRoute g = group(List.of(A, B), List.of(S1));
        List<Backend> picks = pick(g, new Fake(), 6);
        assertEquals(3, picks.stream().filter(A::equals).count());
        assertEquals(3, picks.stream().filter(B::equals).count());
    }

    @Test
    void skipsADownBackend() {
        GroupRoute g = group(List.of(A, B), List.of(S1));
        Fake h = new Fake();
        h.down.add(A);
        assertEquals(List.of(B, B, B, B), pick(g, h, 4));
    }

    @Test
    void failsOverToSparesRoundRobinAndComesHomeAsSoonAsOneBackendIsBack() {
        GroupRoute g = group(List.of(A, B), List.of(S1, S2));
        Fake h = new Fake();
        h.down.addAll(List.of(A, B));
        List<Backend> picks = pick(g, h, 4);
        assertEquals(2, picks.stream().filter(S1::equals).count());
        assertEquals(2, picks.stream().filter(S2::equals).count());
        h.down.remove(B);
        assertEquals(List.of(B, B, B), pick(g, h, 3));
    }

    @Test
    void whenNothingIsAvailableTheFirstBackendGetsTheRequestForAnHonestError() {
        GroupRoute g = group(List.of(A, B), List.of(S1));
        Fake h = new Fake();
        h.down.addAll(List.of(A, B, S1));
        assertEquals(List.of(A, A, A), pick(g, h, 3));
    }

    @Test
    void drainAndMaintAreNeverChosenEvenAsLastResort() {
        GroupRoute g = group(List.of(A, B), List.of(S1));
        Fake h = new Fake();
        h.out.add(A);
        assertEquals(List.of(B, B), pick(g, h, 2));
        h.down.add(B);
        assertEquals(List.of(S1, S1), pick(g, h, 2), "A is out, B down: the spare serves");
        h.down.add(S1);
        assertEquals(List.of(B, B), pick(g, h, 2), "nothing available: first backend ops did not take out");
        h.out.addAll(List.of(B, S1));
        assertNull(BackendSelector.select(g, h), "everything out: the proxy answers 502 itself");
    }

    @Test
    void aRetryTakesTheNextUntriedBackendWithoutShiftingTheRotation() {
        Backend c = backend(8003);
        GroupRoute g = group(List.of(A, B, c), List.of(S1, S2));
        Fake h = new Fake();
        assertSame(A, BackendSelector.select(g, h));
        assertSame(B, BackendSelector.select(g, h, List.of(A)), "A failed: the next in turn");
        assertSame(B, BackendSelector.select(g, h), "the retry did not move the cursor: B's turn still comes");
        assertSame(c, BackendSelector.select(g, h, List.of(B)));
        assertSame(A, BackendSelector.select(g, h, List.of(B, c)), "wraps around");
        for (int i = 0; i < 4; i++) {
            assertSame(c, BackendSelector.select(g, h, List.of(A, B)), "whatever the cursor");
        }
    }

    @Test
    void aRetryGoesToTheSparesOnlyOnceEveryBackendWasTried() {
        GroupRoute g = group(List.of(A, B), List.of(S1, S2));
        Fake h = new Fake();
        List<Backend> spares = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            BackendSelector.select(g, h);
            spares.add(BackendSelector.select(g, h, List.of(A, B)));
        }
        assertEquals(2, spares.stream().filter(S1::equals).count(), "the spares, in the group's rotation: " + spares);
        assertEquals(2, spares.stream().filter(S2::equals).count());
        assertSame(S2, BackendSelector.select(g, h, List.of(A, B, S1)));
        assertNull(BackendSelector.select(g, h, List.of(A, B, S1, S2)), "everything tried: nothing left");
    }

    @Test
    void aRetryFallsBackToLastResortButNeverToWhatOpsTookOut() {
        GroupRoute g = group(List.of(A, B), List.of(S1));
        Fake h = new Fake();
        h.down.addAll(List.of(A, S1));
        assertSame(A, BackendSelector.select(g, h, List.of(B)), "B failed, nothing available: A, down but ready");
        h.out.add(A);
        assertSame(S1, BackendSelector.select(g, h, List.of(B)), "A is out: the spare, down but ready");
        h.out.add(S1);
        assertNull(BackendSelector.select(g, h, List.of(B)));
        assertNull(BackendSelector.select(group(List.of(), List.of()), h, List.of(A)));
    }

    @Test
    void emptyGroupHasNoBackend() {
        assertNull(BackendSelector.select(group(List.of(), List.of()), BackendHealth.NONE));
        assertSame(S1, BackendSelector.select(group(List.of(), List.of(S1)), BackendHealth.NONE));
    }

    @Test
    void registryAdminStatesAndPassiveDetectionDriveAvailability() {
        HealthSettings settings = new HealthSettings(null, null, null, null, null, null, 3, null, null);
        try (HealthRegistry r = new HealthRegistry(settings, Clock.systemUTC(), false)) {
            GroupRoute g = group(List.of(A, B), List.of(S1));
            r.track(List.of(g));
            assertTrue(r.available(A));
            assertEquals(Set.of("10.0.0.1:8001", "10.0.0.1:8002", "10.0.0.1:9001"), r.snapshot().keySet());

            r.setAdminState(A.address(), BackendState.DRAIN);
            assertFalse(r.available(A));
            assertFalse(r.lastResort(A));
            assertEquals("drain", r.snapshot().get("10.0.0.1:8001").admin());
            assertEquals("up", r.snapshot().get("10.0.0.1:8001").health());
            r.setAdminState(A.address(), BackendState.READY);
            assertTrue(r.available(A));

            // Passive: N consecutive errors take it down; a good answer in between resets the count.
            r.responded(B, 502);
            r.responded(B, 503);
            r.responded(B, 200);
            r.connectFailed(B);
            r.closedBeforeResponse(B);
            assertTrue(r.available(B));
            r.responded(B, 500);
            assertFalse(r.available(B));
            BackendStatus b = r.snapshot().get("10.0.0.1:8002");
            assertEquals("down", b.health());
            assertTrue(b.reason().startsWith("passive: 3 consecutive errors"), b.reason());
            assertEquals(1, b.transitions());
            assertEquals(1, r.transitionsDown());
            assertSame(A, BackendSelector.select(g, r));

            r.setAdminState(A.address(), BackendState.MAINT);
            assertSame(S1, BackendSelector.select(g, r));
            assertThrows(IllegalArgumentException.class, () -> r.setAdminState(new InetSocketAddress("10.9.9.9", 1), BackendState.MAINT));

            // Admin state survives the backend leaving and coming back; a backend that left is forgotten.
            r.track(List.of(group(List.of(B), List.of())));
            assertEquals(Set.of("10.0.0.1:8002"), r.snapshot().keySet());
            r.track(List.of(g));
            assertEquals("maint", r.snapshot().get("10.0.0.1:8001").admin());
        }
    }
}
