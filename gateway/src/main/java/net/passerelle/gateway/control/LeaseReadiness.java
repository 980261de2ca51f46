package net.passerelle.gateway.control;

import net.passerelle.gateway.config.StoreConfig;
import net.passerelle.gateway.config.GatewayConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the store and the lease say to {@code /readyz}: a reason to be not-ready only with
 * {@code store.onLeaseLost: unready} and the lease lost for longer than {@code store.leaseLostGrace}; otherwise
 * notes (a store blip, the fail-safe in force), which a load balancer need not act on.
 */
public final class LeaseReadiness {
    private LeaseReadiness() {
    }

    /** Why the gateway must be taken out of the load balancer, as far as the lease goes; empty when it need not. */
    public static List<String> reasons(StoreSync sync, StoreConfig sc) {
        Duration lost = sync.leaseLostFor();
        if (!sc.onLeaseLost().equals("unready") || sync.leaseHeld() || lost.compareTo(sc.leaseLostGrace()) <= 0) {
            return List.of();
        }
        return List.of("lease lost for " + lost.toSeconds() + " s (more than store.leaseLostGrace, "
                + sc.leaseLostGrace().toSeconds() + " s): this gateway cannot know its table is current"
                + (sync.storeReachable() ? "" : "; store unreachable: " + sync.storeError()));
    }

    /** What is degraded without making the gateway unready: a store blip, the fail-safe. */
    public static List<String> notes(StoreSync sync) {
        List<String> notes = new ArrayList<>();
        if (!sync.storeReachable()) {
            notes.add("store unreachable: " + sync.storeError());
        }
        if (sync.failSafe()) {
            notes.add("read-only fail-safe in force: no lease for " + sync.leaseLostFor().toMillis() / 1000.0
                    + " s, every group serves reads and refuses writes");
        }
        return notes;
    }
}
