package net.passerelle.admin.api;

import net.passerelle.admin.model.GatewayStatus;
import net.passerelle.admin.store.Store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /v1/gateways}: every gateway that ever reported, whether it is {@code live} (by the same
 * {@link Liveness} the fleet confirmer waits with) and {@code upToDate} with the table version.
 */
final class GatewayRoutes {
    private final Supplier<Store> store;
    private final Liveness liveness;

    GatewayRoutes(Supplier<Store> store, Liveness liveness) {
        this.store = store;
        this.liveness = liveness;
    }

    void register(Router router) {
        router.add("GET", "/v1/gateways", Handler.sync(r -> gateways()));
    }

    private ApiResponse gateways() {
        Store s = store.get();
        long version = s.version();
        Instant now = liveness.now();
        List<Object> list = new ArrayList<>();
        for (GatewayStatus g : s.gateways()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", g.gatewayId());
            m.put("appliedVersion", g.appliedVersion());
            m.put("heartbeat", g.heartbeat());
            m.put("live", liveness.isLive(g, now));
            m.put("upToDate", g.hasApplied(version));
            m.put("info", g.info());
            list.add(m);
        }
        return ApiResponse.ok(Map.of("version", version, "gateways", list));
    }
}
