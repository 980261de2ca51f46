package net.passerelle.admin.api;

import net.passerelle.admin.model.Backend;
import net.passerelle.admin.store.Store;

import java.time.Clock;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The {@code /v1} routes of the spec's admin API table over a {@link Store}, one class per resource:
 * {@link GroupRoutes} (groups), {@link ModeRoutes} (a group's mode and window), {@link HostRoutes} (hosts),
 * {@link AuditRoutes} (the audit log) and {@link GatewayRoutes} (the fleet). Changes that the data plane enforces
 * (group PUT, mode, window, hosts) answer once every live gateway has applied them ({@code 200}), or after the
 * confirmer's timeout with the laggards named ({@code 202}); see {@link FleetConfirmer}. Liveness is the
 * confirmer's {@link Liveness}, so {@code /v1/gateways} and the confirmations always agree on who is live.
 *
 * <p>Validation happens before the store is called, and each store call is one transaction, so a refused call
 * changes nothing.
 */
public final class ControlApi {

    /** What the API says about a backend's health; the health checker plugs in here ({@code unknown} until then). */
    @FunctionalInterface
    public interface HealthView {
        HealthView UNKNOWN = (group, backend) -> "unknown";

        String state(String group, Backend backend);
    }

    private final Supplier<Store> store;
    private final FleetConfirmer confirmer;
    private final Clock clock;
    private final Views views = new Views();

    /**
     * @param store     the store; the supplier throws {@link net.passerelle.admin.store.StoreException} while it is
     *                  unreachable, which the API answers with {@code 503}
     * @param confirmer waits for the fleet, and says who is live
     * @param clock     the clock of effective modes and windows in answers
     */
    public ControlApi(Supplier<Store> store, FleetConfirmer confirmer, Clock clock) {
        this.store = Objects.requireNonNull(store);
        this.confirmer = Objects.requireNonNull(confirmer);
        this.clock = Objects.requireNonNull(clock);
    }

    public void setHealthView(HealthView view) {
        views.setHealth(view);
    }

    /** Registers the {@code /v1} routes. */
    public Router register(Router router) {
        new GroupRoutes(store, confirmer, clock, views).register(router);
        new ModeRoutes(store, confirmer, clock).register(router);
        new HostRoutes(store, confirmer).register(router);
        new AuditRoutes(store).register(router);
        new GatewayRoutes(store, confirmer.liveness()).register(router);
        return router;
    }
}
