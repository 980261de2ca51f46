package net.passerelle.admin.api;

import com.fasterxml.jackson.databind.JsonNode;
import net.passerelle.admin.model.AuditEntry;
import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.GatewayStatus;
import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.HostMapping;
import net.passerelle.admin.model.HostNames;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.Names;
import net.passerelle.admin.model.Window;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.admin.store.NotFoundException;
import net.passerelle.admin.store.Store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The {@code /v1} routes of the spec's admin API table over a {@link Store}: groups, hosts, modes, windows,
 * audit, and the fleet's gateways. Changes that the data plane enforces (group PUT, mode, window) answer once
 * every live gateway has applied them ({@code 200}), or after the confirmer's timeout with the laggards named
 * ({@code 202}); see {@link FleetConfirmer}.
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

    record GroupBody(List<String> backends, List<String> spares, String mode, String writes, Integer retryAfterSeconds,
                     Map<String, String> message, String profile) {
    }

    record HostBody(String group, String account) {
    }

    record ModeBody(String mode, String writes, Integer retryAfterSeconds, Map<String, String> message) {
    }

    record WindowBody(String start, String end, String mode, String writes) {
    }

    private final Supplier<Store> store;
    private final FleetConfirmer confirmer;
    private final Clock clock;
    private volatile HealthView health = HealthView.UNKNOWN;

    /**
     * @param store     the store; the supplier throws {@link net.passerelle.admin.store.StoreException} while it is
     *                  unreachable, which the API answers with {@code 503}
     * @param confirmer waits for the fleet
     */
    public ControlApi(Supplier<Store> store, FleetConfirmer confirmer, Clock clock) {
        this.store = Objects.requireNonNull(store);
        this.confirmer = Objects.requireNonNull(confirmer);
        this.clock = Objects.requireNonNull(clock);
    }

    public void setHealthView(HealthView view) {
        this.health = Objects.requireNonNull(view);
    }

    /** Registers the {@code /v1} routes. */
    public Router register(Router router) {
        router.add("GET", "/v1/groups", Handler.sync(r -> listGroups()));
        router.add("GET", "/v1/groups/{group}", Handler.sync(r -> getGroup(r.param("group"))));
        router.add("PUT", "/v1/groups/{group}", this::putGroup);
        router.add("DELETE", "/v1/groups/{group}", Handler.sync(this::deleteGroup));
        router.add("PUT", "/v1/groups/{group}/mode", this::putMode);
        router.add("PUT", "/v1/groups/{group}/window", this::putWindow);
        router.add("DELETE", "/v1/groups/{group}/window", this::deleteWindow);
        router.add("GET", "/v1/hosts", Handler.sync(this::listHosts));
        router.add("GET", "/v1/hosts/{host}", Handler.sync(this::getHost));
        router.add("PUT", "/v1/hosts/{host}", this::putHost);
        router.add("DELETE", "/v1/hosts/{host}", this::deleteHost);
        router.add("GET", "/v1/audit", Handler.sync(this::audit));
        router.add("GET", "/v1/gateways", Handler.sync(r -> gateways()));
        return router;
    }

    // ---- groups ------------------------------------------------------------------------------------------

    private ApiResponse listGroups() {
        Store s = store.get();
        long version = s.version();
        List<Object> groups = new ArrayList<>();
        Instant now = clock.instant();
        for (Group g : s.groups()) {
            groups.add(view(g, now));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", version);
        body.put("groups", groups);
        return ApiResponse.ok(body);
    }

    private ApiResponse getGroup(String name) {
        Group g = store.get().group(requireGroupName(name))
                .orElseThrow(() -> ApiException.notFound("group '" + name + "' does not exist"));
        return ApiResponse.ok(view(g, clock.instant()));
    }

    private CompletableFuture<ApiResponse> putGroup(ApiRequest r) {
        String name = requireGroupName(r.param("group"));
        GroupBody b = r.json(GroupBody.class);
        Store s = store.get();
        Group existing = s.group(name).orElse(null);
        if (existing == null && b.backends() == null) {
            throw ApiException.badRequest("'backends' is required to create group '" + name + "' (an empty list is allowed)");
        }
        Group base = existing != null ? existing : Group.of(name, List.of());
        List<Backend> backends = b.backends() == null ? base.backends() : backends("backends", b.backends());
        List<Backend> spares = b.spares() == null ? (existing == null ? List.of() : base.spares()) : backends("spares", b.spares());
        Mode mode = b.mode() == null ? base.mode() : Mode.parse(b.mode());
        WritePolicy writes = b.writes() == null ? base.writes() : WritePolicy.parse(b.writes());
        int retry = b.retryAfterSeconds() == null ? base.retryAfterSeconds() : b.retryAfterSeconds();
        Map<String, String> message = b.message() == null ? base.message() : b.message();
        String profile = b.profile() == null ? base.profile() : b.profile();
        Group next = new Group(name, backends, spares, mode, writes, retry, message, profile, base.window());
        long version = s.putGroup(r.actor(), next);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("group", name);
        answer.put("created", existing == null);
        return confirmed(version, answer, s);
    }

    private ApiResponse deleteGroup(ApiRequest r) {
        String name = requireGroupName(r.param("group"));
        long version = store.get().deleteGroup(r.actor(), name);
        return ApiResponse.ok(Map.of("deleted", name, "version", version));
    }

    private CompletableFuture<ApiResponse> putMode(ApiRequest r) {
        String name = requireGroupName(r.param("group"));
        ModeBody b = r.json(ModeBody.class);
        if (b.mode() == null) {
            throw ApiException.badRequest("'mode' is required: open, read-only or maintenance");
        }
        Mode mode = Mode.parse(b.mode());
        WritePolicy writes = b.writes() == null ? null : WritePolicy.parse(b.writes());
        if (b.retryAfterSeconds() != null && (b.retryAfterSeconds() < 0 || b.retryAfterSeconds() > Group.MAX_RETRY_AFTER_SECONDS)) {
            throw new ApiException(400, "bad value", "retryAfterSeconds must be 0.." + Group.MAX_RETRY_AFTER_SECONDS);
        }
        if (b.message() != null) {
            // Validates the language tags before anything is written.
            Group.of(name, List.of()).withMode(mode, WritePolicy.REJECT, 0, b.message());
        }
        Store s = store.get();
        long version = s.setMode(r.actor(), name, mode, writes, b.retryAfterSeconds(), b.message());
        Group g = s.group(name).orElseThrow(() -> new NotFoundException("group", name));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("group", name);
        answer.put("mode", g.mode().wireName());
        answer.put("writes", g.writes().wireName());
        answer.put("effectiveMode", g.effectiveMode(clock.instant()).wireName());
        return confirmed(version, answer, s);
    }

    private CompletableFuture<ApiResponse> putWindow(ApiRequest r) {
        String name = requireGroupName(r.param("group"));
        WindowBody b = r.json(WindowBody.class);
        if (b.start() == null || b.end() == null || b.mode() == null) {
            throw ApiException.badRequest("'start', 'end' (ISO-8601 UTC, e.g. 2026-11-22T08:00:00Z) and 'mode' are required");
        }
        Window w = new Window(instant("start", b.start()), instant("end", b.end()), Mode.parse(b.mode()),
                b.writes() == null ? null : WritePolicy.parse(b.writes()));
        Store s = store.get();
        long version = s.setWindow(r.actor(), name, w);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("group", name);
        answer.put("window", s.group(name).map(g -> windowView(g.window(), clock.instant())).orElse(null));
        return confirmed(version, answer, s);
    }

    private CompletableFuture<ApiResponse> deleteWindow(ApiRequest r) {
        String name = requireGroupName(r.param("group"));
        Store s = store.get();
        long version = s.clearWindow(r.actor(), name);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("group", name);
        answer.put("window", null);
        return confirmed(version, answer, s);
    }

    // ---- hosts -------------------------------------------------------------------------------------------

    private ApiResponse listHosts(ApiRequest r) {
        String group = r.queryParam("group");
        Store s = store.get();
        if (group != null) {
            requireGroupName(group);
            if (s.group(group).isEmpty()) {
                throw ApiException.notFound("group '" + group + "' does not exist");
            }
        }
        return ApiResponse.ok(Map.of("hosts", s.hosts(group)));
    }

    private ApiResponse getHost(ApiRequest r) {
        String host = requireHost(r.param("host"));
        return ApiResponse.ok(store.get().host(host)
                .orElseThrow(() -> ApiException.notFound("host '" + host + "' is not mapped")));
    }

    /** Maps a host; like every table change, answers once the fleet routes it (so the host works when ops hear so). */
    private CompletableFuture<ApiResponse> putHost(ApiRequest r) {
        String host = requireHost(r.param("host"));
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
        return confirmed(version, answer, s);
    }

    private CompletableFuture<ApiResponse> deleteHost(ApiRequest r) {
        String host = requireHost(r.param("host"));
        Store s = store.get();
        long version = s.deleteHost(r.actor(), host);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("deleted", host);
        return confirmed(version, answer, s);
    }

    // ---- audit, fleet ------------------------------------------------------------------------------------

    private ApiResponse audit(ApiRequest r) {
        int limit = 100;
        String text = r.queryParam("limit");
        if (text != null) {
            try {
                limit = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new ApiException(400, "bad value", "limit must be a number from 1 to 10000, not '" + text + "'");
            }
            if (limit < 1 || limit > 10_000) {
                throw new ApiException(400, "bad value", "limit must be a number from 1 to 10000, not " + limit);
            }
        }
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

    private ApiResponse gateways() {
        Store s = store.get();
        long version = s.version();
        Instant now = clock.instant();
        List<Object> list = new ArrayList<>();
        Duration ttl = Duration.ofSeconds(3);
        for (GatewayStatus g : s.gateways()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", g.gatewayId());
            m.put("appliedVersion", g.appliedVersion());
            m.put("heartbeat", g.heartbeat());
            m.put("live", g.isLive(now, ttl));
            m.put("upToDate", g.hasApplied(version));
            m.put("info", g.info());
            list.add(m);
        }
        return ApiResponse.ok(Map.of("version", version, "gateways", list));
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    private CompletableFuture<ApiResponse> confirmed(long version, Map<String, Object> answer, Store s) {
        return confirmer.await(version).thenApply(c -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("applied", c.applied());
            body.put("gateways", c.gateways());
            body.put("version", version);
            body.putAll(answer);
            if (!c.complete()) {
                body.put("laggards", c.laggards());
                body.put("detail", c.laggards().size() + " live gateway(s) did not apply version " + version
                        + " within " + confirmer.timeout().toMillis() + " ms");
            }
            return ApiResponse.of(c.complete() ? 200 : 202, body);
        });
    }

    private Map<String, Object> view(Group g, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", g.name());
        m.put("mode", g.mode().wireName());
        m.put("writes", g.writes().wireName());
        m.put("effectiveMode", g.effectiveMode(now).wireName());
        m.put("effectiveWrites", g.effectiveWrites(now).wireName());
        m.put("retryAfterSeconds", g.retryAfterSeconds());
        m.put("message", g.message());
        m.put("profile", g.profile());
        m.put("window", windowView(g.window(), now));
        m.put("backends", backendViews(g.name(), g.backends()));
        m.put("spares", backendViews(g.name(), g.spares()));
        return m;
    }

    private List<Object> backendViews(String group, List<Backend> list) {
        List<Object> out = new ArrayList<>();
        for (Backend b : list) {
            out.add(Map.of("address", b.toString(), "health", health.state(group, b)));
        }
        return out;
    }

    private static Map<String, Object> windowView(Window w, Instant now) {
        if (w == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("start", w.start());
        m.put("end", w.end());
        m.put("mode", w.mode().wireName());
        m.put("writes", w.writes().wireName());
        m.put("inForce", w.inForce(now));
        m.put("over", w.isOver(now));
        return m;
    }

    private static List<Backend> backends(String field, List<String> list) {
        List<Backend> out = new ArrayList<>(list.size());
        for (String text : list) {
            if (text == null) {
                throw new ApiException(400, "bad value", "'" + field + "' holds a null");
            }
            out.add(Backend.parse(text));
        }
        return out;
    }

    private static Instant instant(String field, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new ApiException(400, "bad value", "'" + field + "' must be an ISO-8601 UTC instant such as"
                    + " 2026-11-22T08:00:00Z, not '" + text + "'");
        }
    }

    private static String requireGroupName(String name) {
        return Names.requireGroupName(name);
    }

    private static String requireHost(String host) {
        return HostNames.requireValid(host);
    }

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
