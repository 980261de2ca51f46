package net.passerelle.gateway.origin;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backend's line, without sockets: limits, turns by client, cancellation, and a limit lowered by a reload. */
class BackendSlotsTest {
    private static final InetSocketAddress SRV_12 = InetSocketAddress.createUnresolved("srv-12", 80);
    private static final InetSocketAddress SRV_13 = InetSocketAddress.createUnresolved("srv-13", 80);

    private int limit = 2;
    private final BackendSlots slots = new BackendSlots(() -> limit);
    private final List<String> served = new ArrayList<>();

    private BackendSlots.Waiter waiter(String name) {
        return () -> served.add(name);
    }

    @Test
    void slotsAreFreeUpToTheLimitPerBackend() {
        assertTrue(slots.tryAcquire(SRV_12));
        assertTrue(slots.tryAcquire(SRV_12));
        assertFalse(slots.tryAcquire(SRV_12));
        assertTrue(slots.tryAcquire(SRV_13), "another backend has its own slots");
        slots.release(SRV_12);
        assertTrue(slots.tryAcquire(SRV_12));
        assertEquals(2, slots.busy(SRV_12));
    }

    @Test
    void theLineIsServedInTurnByClientSoOneAddressCannotStandBeforeAnother() {
        slots.tryAcquire(SRV_12);
        slots.tryAcquire(SRV_12);
        for (int i = 1; i <= 3; i++) {
            slots.await(SRV_12, "attacker", waiter("a" + i));
        }
        slots.await(SRV_12, "visitor", waiter("v"));
        assertEquals(4, slots.waiting());

        slots.release(SRV_12);
        slots.release(SRV_12);
        assertEquals(List.of("a1", "v"), served, "the visitor's one request is served second, not fourth");
        slots.release(SRV_12);
        slots.release(SRV_12);
        assertEquals(List.of("a1", "v", "a2", "a3"), served);
        assertEquals(2, slots.busy(SRV_12), "a slot handed on stays taken");
        assertEquals(0, slots.waiting());
    }

    @Test
    void aNewcomerNeverOvertakesTheLine() {
        slots.tryAcquire(SRV_12);
        slots.tryAcquire(SRV_12);
        slots.await(SRV_12, "early", waiter("early"));
        slots.release(SRV_12);
        assertEquals(List.of("early"), served);
        assertFalse(slots.tryAcquire(SRV_12), "the released slot went to the one waiting");
    }

    @Test
    void aCancelledWaiterIsSkippedAndCannotBeCancelledTwice() {
        slots.tryAcquire(SRV_12);
        slots.tryAcquire(SRV_12);
        BackendSlots.Waiter gone = waiter("gone");
        slots.await(SRV_12, "a", gone);
        slots.await(SRV_12, "b", waiter("b"));
        assertTrue(slots.cancel(SRV_12, "a", gone));
        assertFalse(slots.cancel(SRV_12, "a", gone));
        slots.release(SRV_12);
        assertEquals(List.of("b"), served);
        assertEquals(0, slots.waiting());
    }

    @Test
    void aReleaseTooManyDoesNotMintASlot() {
        slots.tryAcquire(SRV_12);
        slots.release(SRV_12);
        slots.release(SRV_12); // one release too many (a bug elsewhere) must not mint a slot
        assertEquals(0, slots.busy(SRV_12));
        assertTrue(slots.tryAcquire(SRV_12));
        assertTrue(slots.tryAcquire(SRV_12));
        assertFalse(slots.tryAcquire(SRV_12));
    }

    @Test
    void aLimitLoweredByAReloadRetiresSlotsInsteadOfHandingThemOn() {
        limit = 3;
        slots.tryAcquire(SRV_12);
        slots.tryAcquire(SRV_12);
        slots.tryAcquire(SRV_12);
        slots.await(SRV_12, "a", waiter("a"));
        limit = 1;
        slots.release(SRV_12);
        slots.release(SRV_12);
        assertEquals(List.of(), served, "three busy over a limit of one: two releases retire two slots");
        slots.release(SRV_12);
        assertEquals(List.of("a"), served);
        assertEquals(1, slots.busy(SRV_12));
    }
}
