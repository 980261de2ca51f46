package net.passerelle.admin.api;

import net.passerelle.admin.model.HostMapping;
import net.passerelle.admin.model.HostNames;
import net.passerelle.admin.model.Names;
import net.passerelle.admin.store.NotFoundException;
import net.passerelle.admin.store.Store;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@code GET /v1/hosts[?group=g]}, {@code GET|PUT|DELETE /v1/hosts/{host}}. Like every table change, PUT and
 * DELETE answer once the fleet routes the change (so the host works when ops hear so).
 */
final class HostRoutes {
    record HostBody(String group, String account) {
    }

    private final Supplier<Store> store;
    private final FleetConfirmer confirmer;

    HostRoutes(Supplier<Store> store, FleetConfirmer confirmer) {
        this.store = store;
        this.confirmer = confirmer;
    }

    void register(Router router) {
        router.add("GET", "/v1/hosts", Handler.sync(this::list));
        router.add("GET", "/v1/hosts/{host}", Handler.sync(this::get));
        router.add("PUT", "/v1/hosts/{host}", this::put);
        router.add("DELETE", "/v1/hosts/{host}", this::delete);
    }

    private ApiResponse list(ApiRequest r) {
        String group = r.queryParam("group");
        Store s = store.get();
        if (group != null) {
            Names.requireGroupName(group);
            if (s.group(group).isEmpty()) {
                throw ApiException.notFound("group '" + group + "' does not exist");
            }
        }
        return ApiResponse.ok(Map.of("hosts", s.hosts(group)));
    }

    private ApiResponse get(ApiRequest r) {
        String host = HostNames.requireValid(r.param("host"));
        return ApiResponse.ok(store.get().host(host)
                .orElseThrow(() -> ApiException.notFound("host '" + host + "' is not mapped")));
    }

    private CompletableFuture<ApiResponse> put(ApiRequest r) {
        String host = HostNames.requireValid(r.param("host"));
        HostBody b = r.json(HostBody.class);
        if (b.group() == null) {
            throw ApiException.badRequest("'group' is required");
        }
        if (b.account() == null) {
            throw ApiException.badRequest("'account' is required");
        }
        HostMapping mapping = new HostMapping(host, b.group(), b.account());
        long version;
        Store s = store.get();
        try {
            version = s.putHost(r.actor(), mapping);
        } catch (NotFoundException e) {
            if ("group".equals(e.kind())) {
                throw new ApiException(422, "unknown group", e.getMessage());
            }
            throw e;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("host", mapping.host());
        answer.put("group", mapping.group());
        answer.put("account", mapping.account());
        return Confirmed.answer(confirmer, version, answer);
    }

    private CompletableFuture<ApiResponse> delete(ApiRequest r) {
        String host = HostNames.requireValid(r.param("host"));
        long version = store.get().deleteHost(r.actor(), host);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("deleted", host);
        return Confirmed.answer(confirmer, version, answer);
    }
}
