package net.passerelle.gateway.routing;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertSame;

/** The lease guard is checked on every read: past its deadline the fallback answers, whatever timers have done. */
class RoutingTableHolderTest {
    private final RoutingTable normal = RoutingTable.builder(2).build();
    private final RoutingTable failSafe = RoutingTable.builder(2).build();

    @Test
    void theFallbackAnswersOncePastTheDeadlineAndARenewalMovesIt() {
        RoutingTableHolder holder = new RoutingTableHolder(normal);
        assertSame(normal, holder.get(), "no guard: the table as swapped in");
        holder.guard(failSafe, System.nanoTime() + TimeUnit.MINUTES.toNanos(1));
        assertSame(normal, holder.get(), "lease held");
        holder.extendGuard(System.nanoTime() - 1);
        assertSame(failSafe, holder.get(), "lease run out: the fail-safe, before any timer swaps it in");
        holder.extendGuard(System.nanoTime() + TimeUnit.MINUTES.toNanos(1));
        assertSame(normal, holder.get(), "renewed");
        holder.guard(null, 0);
        assertSame(normal, holder.get(), "guard lifted");
    }
}
