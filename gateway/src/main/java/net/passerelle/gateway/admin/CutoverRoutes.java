package net.passerelle.gateway.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import net.passerelle.admin.api.ApiException;
import net.passerelle.admin.api.ApiRequest;
import net.passerelle.admin.api.ApiResponse;
import net.passerelle.admin.api.Confirmed;
import net.passerelle.admin.api.FleetConfirmer;
import net.passerelle.admin.api.Json;
import net.passerelle.admin.api.Router;
import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.HostMapping;
import net.passerelle.admin.store.Store;
import net.passerelle.gateway.cutover.Cutover;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.RoutingTableHolder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@code POST /v1/groups/{group}/cutover} {@code {"backends": [...], "spares": [...], "verify": true}}: verifies the
 * new backends for every host of the group, then switches in the store and waits for the fleet: 200 with
 * {@code switchedAt} (and {@code applied}/{@code gateways}), or 409 with the report and nothing changed. Rolling
 * back is a cutover to the old backends.
 */
final class CutoverRoutes {
    record CutoverBody(List<String> backends, List<String> spares, Boolean verify, String path) {
    }

    private final Supplier<Store> store;
    private final FleetConfirmer confirmer;
    private final Cutover cutover;
    private final RoutingTableHolder routes;
    private final String defaultPath;

    CutoverRoutes(Supplier<Store> store, FleetConfirmer confirmer, Cutover cutover, RoutingTableHolder routes,
                  String defaultPath) {
        this.store = store;
        this.confirmer = confirmer;
        this.cutover = cutover;
        this.routes = routes;
        this.defaultPath = defaultPath;
    }

    void register(Router router) {
        router.add("POST", "/v1/groups/{group}/cutover", this::cutover);
    }

    private CompletableFuture<ApiResponse> cutover(ApiRequest r) {
        String name = r.param("group");
        CutoverBody body = r.json(CutoverBody.class);
        if (body.backends() == null || body.backends().isEmpty()) {
            throw ApiException.badRequest("'backends' must name at least one backend");
        }
        for (String b : concat(body.backends(), body.spares())) {
            try {
                Backend.parse(b);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("bad backend '" + b + "': " + e.getMessage());
            }
        }
        Store s = store.get();
        Group group = s.group(name).orElseThrow(() -> ApiException.notFound("no group named '" + name + "'"));
        List<String> hosts = s.hosts(name).stream().map(HostMapping::host).toList();
        GroupRoute current = routes.get().group(name);
        List<net.passerelle.gateway.routing.Backend> currentBackends = current == null ? List.of() : current.backends();
        boolean verify = body.verify() == null || body.verify();
        String path = body.path() == null ? defaultPath : body.path();
        long[] version = new long[1];
        String before = group.backends().toString() + " spares " + group.spares();
        return cutover.run(new Cutover.Request(name, hosts, currentBackends, body.backends(), body.spares(), verify, path),
                (g, backends, spares) -> version[0] = s.setBackends(r.actor(), g, parse(backends), parse(spares)))
                .thenCompose(result -> {
                    if (!result.switched()) {
                        String detail = result.report() == null ? "verification failed"
                                : String.join("; ", result.report().problems());
                        throw new ApiException(409, "verification failed", detail, Map.of("report", result.report()));
                    }
                    audit(s, r.actor(), name, before, body, result);
                    Map<String, Object> answer = new LinkedHashMap<>();
                    answer.put("group", name);
                    answer.put("report", result.report());
                    answer.put("switchedAt", result.switchedAt().toString());
                    answer.put("version", version[0]);
                    return confirmed(answer, version[0]);
                });
    }

    /** The answer once the fleet has applied the switch: 200, or 202 naming the lagging and lost gateways. */
    private CompletableFuture<ApiResponse> confirmed(Map<String, Object> answer, long version) {
        return confirmer.await(version).thenApply(c -> {
            answer.put("applied", c.applied());
            answer.put("gateways", c.gateways());
            return Confirmed.response(confirmer, c, answer);
        });
    }

    private static void audit(Store s, String actor, String group, String before, CutoverBody body, Cutover.Result result) {
        try {
            Map<String, Object> after = new LinkedHashMap<>();
            after.put("backends", body.backends());
            after.put("spares", body.spares() == null ? List.of() : body.spares());
            after.put("switchedAt", result.switchedAt().toString());
            after.put("verified", result.report() != null);
            s.recordEvent(actor, "group.cutover", group, Json.STRICT.writeValueAsString(Map.of("backends", before)),
                    Json.STRICT.writeValueAsString(after));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        if (b == null || b.isEmpty()) {
            return a;
        }
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<Backend> parse(List<String> list) {
        return list == null ? List.of() : list.stream().map(Backend::parse).toList();
    }
}
