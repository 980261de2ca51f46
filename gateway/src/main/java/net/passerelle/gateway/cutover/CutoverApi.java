package net.passerelle.gateway.cutover;

import net.passerelle.admin.api.ApiException;
import net.passerelle.admin.api.ApiRequest;
import net.passerelle.admin.api.ApiResponse;
import net.passerelle.admin.api.FleetConfirmer;
import net.passerelle.admin.api.Handler;
import net.passerelle.admin.api.Json;
import net.passerelle.admin.api.Router;
import net.passerelle.admin.model.BackendState;
import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.HostMapping;
import net.passerelle.admin.store.Store;
import net.passerelle.gateway.health.BackendStatus;
import net.passerelle.gateway.health.HealthRegistry;
import net.passerelle.gateway.routing.Backend;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.RoutingTableHolder;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The cutover and backend-state routes.
 * <ul>
 *   <li>{@code POST /v1/groups/{group}/cutover} {@code {"backends": [...], "spares": [...], "verify": true}}:
 *       verifies the new backends for every host of the group, then switches in the store and waits for the
 *       fleet: 200 with {@code switchedAt} (and {@code applied}/{@code gateways}), or 409 with the report and
 *       nothing changed. Rolling back is a cutover to the old backends.</li>
 *   <li>{@code PUT /v1/groups/{group}/backends/{backend}/state} {@code {"state": "ready" | "drain" | "maint"}}: the
 *       HAProxy-style administrative state of one backend, for the whole fleet (kept in the store).</li>
 *   <li>{@code GET /v1/groups/{group}/health}: every backend and spare of the group with its health.</li>
 * </ul>
 */
public final class CutoverApi {
    record CutoverBody(List<String> backends, List<String> spares, Boolean verify, String path) {
    }

    record StateBody(String state) {
    }

    private final Supplier<Store> store;
    private final FleetConfirmer confirmer;
    private final Cutover cutover;
    private final HealthRegistry health;
    private final RoutingTableHolder routes;
    private final String defaultPath;

    public CutoverApi(Supplier<Store> store, FleetConfirmer confirmer, Cutover cutover, HealthRegistry health,
                      RoutingTableHolder routes, String defaultPath) {
        this.store = store;
        this.confirmer = confirmer;
        this.cutover = cutover;
        this.health = health;
        this.routes = routes;
        this.defaultPath = defaultPath;
    }

    public void register(Router router) {
        router.add("POST", "/v1/groups/{group}/cutover", this::cutover);
        router.add("PUT", "/v1/groups/{group}/backends/{backend}/state", this::setState);
        router.add("GET", "/v1/groups/{group}/health", Handler.sync(this::groupHealth));
    }

    private CompletableFuture<ApiResponse> cutover(ApiRequest r) {
        String name = r.param("group");
        CutoverBody body = r.json(CutoverBody.class);
        if (body.backends() == null || body.backends().isEmpty()) {
            throw ApiException.badRequest("'backends' must name at least one backend");
        }
        for (String b : concat(body.backends(), body.spares())) {
            try {
                net.passerelle.admin.model.Backend.parse(b);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("bad backend '" + b + "': " + e.getMessage());
            }
        }
        Store s = store.get();
        Group group = s.group(name).orElseThrow(() -> ApiException.notFound("no group named '" + name + "'"));
        List<String> hosts = s.hosts(name).stream().map(HostMapping::host).toList();
        GroupRoute current = routes.get().group(name);
        List<Backend> currentBackends = current == null ? List.of() : current.backends();
        boolean verify = body.verify() == null || body.verify();
        String path = body.path() == null ? defaultPath : body.path();
        long[] version = new long[1];
        String before = group.backends().toString() + " spares " + group.spares();
        return cutover.run(new Cutover.Request(name, hosts, currentBackends, body.backends(), body.spares(), verify, path),
                (g, backends, spares) -> version[0] = s.setBackends(r.actor(), g, parse(backends), parse(spares)))
                .thenCompose(result -> {
                    Map<String, Object> answer = new LinkedHashMap<>();
                    answer.put("group", name);
                    answer.put("report", result.report());
                    if (!result.switched()) {
                        String detail = result.report() == null ? "verification failed"
                                : String.join("; ", result.report().problems());
                        throw new ApiException(409, "verification failed", detail, Map.of("report", result.report()));
                    }
                    audit(s, r.actor(), name, before, body, result);
                    answer.put("switchedAt", result.switchedAt().toString());
                    answer.put("version", version[0]);
                    return confirmer.await(version[0]).thenApply(c -> {
                        answer.put("applied", c.applied());
                        answer.put("gateways", c.gateways());
                        if (!c.complete()) {
                            answer.put("laggards", c.laggards());
                            return ApiResponse.of(202, answer);
                        }
                        return ApiResponse.ok(answer);
                    });
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
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The state goes to the store, as a change of the table: every gateway of the fleet applies it (the answer
     * comes once they all have), and it survives restarts.
     */
    private CompletableFuture<ApiResponse> setState(ApiRequest r) {
        String name = r.param("group");
        GroupRoute group = routes.get().group(name);
        if (group == null) {
            throw ApiException.notFound("no group named '" + name + "'");
        }
        StateBody body = r.json(StateBody.class);
        BackendState state;
        try {
            state = BackendState.parse(body.state());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw ApiException.badRequest("state must be ready, drain or maint");
        }
        InetSocketAddress address = health.find(r.param("backend"));
        Backend backend = address == null ? null : concat(group.backends(), group.spares()).stream()
                .filter(b -> b.address().equals(address)).findFirst().orElse(null);
        if (backend == null) {
            throw ApiException.notFound("group " + name + " has no backend '" + r.param("backend") + "'");
        }
        String wire = state.wireName();
        Store s = store.get();
        long version = s.setBackendState(r.actor(), backend.name(), state);
        return confirmer.await(version).thenApply(c -> {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("applied", c.applied());
            answer.put("gateways", c.gateways());
            answer.put("version", version);
            answer.put("backend", backend.name());
            answer.put("admin", wire);
            answer.put("status", health.status(address));
            if (!c.complete()) {
                answer.put("laggards", c.laggards());
                return ApiResponse.of(202, answer);
            }
            return ApiResponse.ok(answer);
        });
    }

    private ApiResponse groupHealth(ApiRequest r) {
        String name = r.param("group");
        GroupRoute group = routes.get().group(name);
        if (group == null) {
            throw ApiException.notFound("no group named '" + name + "'");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("group", name);
        answer.put("backends", group.backends().stream().map(b -> health.status(b.address())).toList());
        answer.put("spares", group.spares().stream().map(b -> health.status(b.address())).toList());
        return ApiResponse.ok(answer);
    }

    private static boolean belongs(GroupRoute group, InetSocketAddress address) {
        return concat(group.backends(), group.spares()).stream().anyMatch(b -> b.address().equals(address));
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        if (b == null || b.isEmpty()) {
            return a;
        }
        List<T> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<net.passerelle.admin.model.Backend> parse(List<String> list) {
        return list == null ? List.of() : list.stream().map(net.passerelle.admin.model.Backend::parse).toList();
    }
}
