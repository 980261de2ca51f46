package net.passerelle.admin.api;

import com.fasterxml.jackson.databind.JsonNode;
import net.passerelle.admin.model.AuditEntry;
import net.passerelle.admin.store.Store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** {@code GET /v1/audit[?limit=n]}: the newest entries first (100 unless {@code limit}, 1 to 10000, says otherwise). */
final class AuditRoutes {
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 10_000;

    private final Supplier<Store> store;

    AuditRoutes(Supplier<Store> store) {
        this.store = store;
    }

    void register(Router router) {
        router.add("GET", "/v1/audit", Handler.sync(this::audit));
    }

    private ApiResponse audit(ApiRequest r) {
        int limit = limit(r.queryParam("limit"));
        List<Object> entries = new ArrayList<>();
        for (AuditEntry e : store.get().audit(limit)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.id());
            m.put("at", e.at());
            m.put("actor", e.actor());
            m.put("action", e.action());
            m.put("target", e.target());
            m.put("version", e.version());
            m.put("before", tree(e.before()));
            m.put("after", tree(e.after()));
            entries.add(m);
        }
        return ApiResponse.ok(Map.of("entries", entries));
    }

    private static int limit(String text) {
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        int limit;
        try {
            limit = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new ApiException(400, "bad value", "limit must be a number from 1 to 10000, not '" + text + "'");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ApiException(400, "bad value", "limit must be a number from 1 to 10000, not " + limit);
        }
        return limit;
    }

    /** The snapshot as JSON in the answer; text that is not JSON (none should be) as a string. */
    private static JsonNode tree(String json) {
        if (json == null) {
            return null;
        }
        try {
            return Json.STRICT.readTree(json);
        } catch (Exception e) {
            return Json.STRICT.getNodeFactory().textNode(json);
        }
    }
}
