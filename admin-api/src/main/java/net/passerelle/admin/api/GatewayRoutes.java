package net.passerelle.admin.api;

import net.passerelle.admin.model.FleetView;
import net.passerelle.admin.model.GatewayStatus;
import net.passerelle.admin.store.Store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /v1/gateways}: every gateway that ever reported, with its lease, the version it applied, its last
 * contact and its {@link Liveness.State state}, judged by the same {@link Liveness} the fleet confirmer waits with.
 * {@code live} and {@code upToDate} are kept for older scripts.
 *
 * <p>{@code DELETE /v1/gateways/{id}}: ops forget a gateway that is gone (audited as {@code gateway.forget}). A lost
 * one is named in every change's answer until then (see {@link FleetConfirmer}); a gateway killed and restarted under
 * a new id (the default id holds the process id) leaves such a row behind. {@code 409} for a live gateway, which
 * would heartbeat itself back; {@code 404} for an unknown one.
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
        router.add("DELETE", "/v1/gateways/{id}", Handler.sync(this::forget));
    }

    private ApiResponse forget(ApiRequest r) {
        String id = r.param("id");
        Store s = store.get();
        FleetView view = s.fleet();
        GatewayStatus g = view.gateways().stream().filter(x -> x.gatewayId().equals(id)).findFirst()
                .orElseThrow(() -> ApiException.notFound("no gateway '" + id + "' in the fleet"));
        if (liveness.isLive(g, view)) {
            throw new ApiException(409, "gateway live", "'" + id + "' is live: it would heartbeat itself back. Stop it"
                    + " first (a clean stop releases its lease)");
        }
        String state = liveness.state(g, view, s.version()).wireName();
        if (!s.forgetGateway(id)) {
            throw ApiException.notFound("no gateway '" + id + "' in the fleet");
        }
        s.recordEvent(r.actor(), "gateway.forget", id, "{\"state\":\"" + state + "\"}", null);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("forgotten", id);
        body.put("state", state);
        return ApiResponse.ok(body);
    }

    private ApiResponse gateways() {
        Store s = store.get();
        long version = s.version();
        FleetView view = s.fleet();
        List<Object> list = new ArrayList<>();
        for (GatewayStatus g : view.gateways()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", g.gatewayId());
            m.put("state", liveness.state(g, view, version).wireName());
            m.put("appliedVersion", g.appliedVersion());
            m.put("lastContact", g.heartbeat());
            m.put("lease", lease(g, view));
            m.put("heartbeat", g.heartbeat());
            m.put("live", liveness.isLive(g, view));
            m.put("upToDate", g.hasApplied(version));
            m.put("info", g.info());
            list.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", version);
        body.put("storeTime", view.storeNow());
        body.put("gateways", list);
        return ApiResponse.ok(body);
    }

    /** The lease as the store sees it; null for a gateway older than leases. */
    private static Map<String, Object> lease(GatewayStatus g, FleetView view) {
        if (!g.leased()) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("valid", g.leaseValidAt(view.storeNow()));
        m.put("until", g.released() ? null : g.leaseUntil());
        m.put("released", g.released());
        m.put("seconds", g.lease() == null ? null : g.lease().toMillis() / 1000.0);
        return m;
    }
}
