package net.passerelle.gateway.admin;

import net.passerelle.admin.api.ApiException;
import net.passerelle.admin.api.ApiRequest;
import net.passerelle.admin.api.ApiResponse;
import net.passerelle.admin.api.Confirmed;
import net.passerelle.admin.api.FleetConfirmer;
import net.passerelle.admin.api.Handler;
import net.passerelle.admin.api.Router;
import net.passerelle.admin.model.BackendState;
import net.passerelle.admin.store.Store;
import net.passerelle.gateway.health.HealthRegistry;
import net.passerelle.gateway.routing.Backend;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.RoutingTableHolder;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A group's backends as this gateway sees them:
 * <ul>
 *   <li>{@code PUT /v1/groups/{group}/backends/{backend}/state} {@code {"state": "ready" | "drain" | "maint"}}: the
 *       HAProxy-style administrative state of one backend, for the whole fleet (kept in the store);</li>
 *   <li>{@code GET /v1/groups/{group}/health}: every backend and spare of the group with its health.</li>
 * </ul>
 */
final class BackendRoutes {
    record StateBody(String state) {
    }

    private final Supplier<Store> store;
    private final FleetConfirmer confirmer;
    private final HealthRegistry health;
    private final RoutingTableHolder routes;

    BackendRoutes(Supplier<Store> store, FleetConfirmer confirmer, HealthRegistry health, RoutingTableHolder routes) {
        this.store = store;
        this.confirmer = confirmer;
        this.health = health;
        this.routes = routes;
    }

    void register(Router router) {
        router.add("PUT", "/v1/groups/{group}/backends/{backend}/state", this::setState);
        router.add("GET", "/v1/groups/{group}/health", Handler.sync(this::groupHealth));
    }

    /**
     * The state goes to the store, as a change of the table: every gateway of the fleet applies it (the answer
     * comes once they all have), and it survives restarts.
     */
    private CompletableFuture<ApiResponse> setState(ApiRequest r) {
        GroupRoute group = knownGroup(r.param("group"));
        StateBody body = r.json(StateBody.class);
        BackendState state;
        try {
            state = BackendState.parse(body.state());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("state must be ready, drain or maint");
        }
        InetSocketAddress address = health.find(r.param("backend"));
        Backend backend = address == null ? null : Stream.concat(group.backends().stream(), group.spares().stream())
                .filter(b -> b.address().equals(address)).findFirst().orElse(null);
        if (backend == null) {
            throw ApiException.notFound("group " + group.name() + " has no backend '" + r.param("backend") + "'");
        }
        long version = store.get().setBackendState(r.actor(), backend.name(), state);
        return confirmer.await(version).thenApply(c -> {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("applied", c.applied());
            answer.put("gateways", c.gateways());
            answer.put("version", version);
            answer.put("backend", backend.name());
            answer.put("admin", state.wireName());
            answer.put("status", health.status(address));
            return Confirmed.response(confirmer, c, answer);
        });
    }

    private ApiResponse groupHealth(ApiRequest r) {
        GroupRoute group = knownGroup(r.param("group"));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("group", group.name());
        answer.put("backends", group.backends().stream().map(b -> health.status(b.address())).toList());
        answer.put("spares", group.spares().stream().map(b -> health.status(b.address())).toList());
        return ApiResponse.ok(answer);
    }

    /** The group as this gateway routes it. */
    private GroupRoute knownGroup(String name) {
        GroupRoute group = routes.get().group(name);
        if (group == null) {
            throw ApiException.notFound("no group named '" + name + "'");
        }
        return group;
    }
}
