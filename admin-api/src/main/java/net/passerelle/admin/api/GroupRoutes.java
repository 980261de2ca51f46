package net.passerelle.admin.api;

import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.Names;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.admin.store.Store;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@code GET /v1/groups}, {@code GET|PUT|DELETE /v1/groups/{group}}. A PUT or DELETE answers once the fleet has
 * applied it (see {@link Confirmed}); fields a PUT leaves out keep their current value (backends are required to
 * create).
 */
final class GroupRoutes {
    record GroupBody(List<String> backends, List<String> spares, String mode, String writes, Integer retryAfterSeconds,
                     Map<String, String> message, String profile) {
    }

    private final Supplier<Store> store;
    private final FleetConfirmer confirmer;
    private final Clock clock;
    private final Views views;

    GroupRoutes(Supplier<Store> store, FleetConfirmer confirmer, Clock clock, Views views) {
        this.store = store;
        this.confirmer = confirmer;
        this.clock = clock;
        this.views = views;
    }

    void register(Router router) {
        router.add("GET", "/v1/groups", Handler.sync(r -> list()));
        router.add("GET", "/v1/groups/{group}", Handler.sync(r -> get(r.param("group"))));
        router.add("PUT", "/v1/groups/{group}", this::put);
        router.add("DELETE", "/v1/groups/{group}", this::delete);
    }

    private ApiResponse list() {
        Store s = store.get();
        long version = s.version();
        List<Object> groups = new ArrayList<>();
        Instant now = clock.instant();
        for (Group g : s.groups()) {
            groups.add(views.group(g, now));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", version);
        body.put("groups", groups);
        return ApiResponse.ok(body);
    }

    private ApiResponse get(String name) {
        Group g = store.get().group(Names.requireGroupName(name))
                .orElseThrow(() -> ApiException.notFound("group '" + name + "' does not exist"));
        return ApiResponse.ok(views.group(g, clock.instant()));
    }

    private CompletableFuture<ApiResponse> put(ApiRequest r) {
        String name = Names.requireGroupName(r.param("group"));
        GroupBody b = r.json(GroupBody.class);
        Store s = store.get();
        Group existing = s.group(name).orElse(null);
        if (existing == null && b.backends() == null) {
            throw ApiException.badRequest("'backends' is required to create group '" + name + "' (an empty list is allowed)");
        }
        Group next = merge(name, existing, b);
        long version = s.putGroup(r.actor(), next);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("group", name);
        answer.put("created", existing == null);
        return Confirmed.answer(confirmer, version, answer);
    }

    /** The group the body asks for: its fields over the existing group's (or the defaults'). */
    private static Group merge(String name, Group existing, GroupBody b) {
        Group base = existing != null ? existing : Group.of(name, List.of());
        List<Backend> backends = b.backends() == null ? base.backends() : Views.parseBackends("backends", b.backends());
        List<Backend> spares = b.spares() == null ? (existing == null ? List.of() : base.spares())
                : Views.parseBackends("spares", b.spares());
        Mode mode = b.mode() == null ? base.mode() : Mode.parse(b.mode());
        WritePolicy writes = b.writes() == null ? base.writes() : WritePolicy.parse(b.writes());
        int retry = b.retryAfterSeconds() == null ? base.retryAfterSeconds() : b.retryAfterSeconds();
        Map<String, String> message = b.message() == null ? base.message() : b.message();
        String profile = b.profile() == null ? base.profile() : b.profile();
        return new Group(name, backends, spares, mode, writes, retry, message, profile, base.window());
    }

    /** Like every change of the table, answered once the fleet no longer routes the group. */
    private CompletableFuture<ApiResponse> delete(ApiRequest r) {
        String name = Names.requireGroupName(r.param("group"));
        long version = store.get().deleteGroup(r.actor(), name);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("deleted", name);
        return Confirmed.answer(confirmer, version, answer);
    }
}
