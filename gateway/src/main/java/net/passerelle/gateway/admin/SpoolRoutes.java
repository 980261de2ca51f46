package net.passerelle.gateway.admin;

import net.passerelle.admin.api.ApiException;
import net.passerelle.admin.api.ApiRequest;
import net.passerelle.admin.api.ApiResponse;
import net.passerelle.admin.api.Handler;
import net.passerelle.admin.api.Json;
import net.passerelle.admin.api.Liveness;
import net.passerelle.admin.api.Router;
import net.passerelle.admin.model.FleetView;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.store.Store;
import net.passerelle.gateway.migration.SpoolBeacon;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.spool.EntryView;
import net.passerelle.gateway.spool.ReplayTrigger;
import net.passerelle.gateway.spool.Spool;
import net.passerelle.gateway.spool.SpoolSummary;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The spool's admin routes. What they show of a queued write is its method, path (never the query string),
 * arrival, size and replay outcome: never its body, cookies or credentials.
 * <ul>
 *   <li>{@code GET /v1/groups/{group}/spool}: count, bytes, oldest, and every entry with its status, of this
 *       gateway's spool ({@code gateway}); spools are per gateway, so {@code waitingElsewhere} adds what the other
 *       live gateways publish as waiting for the group in their heartbeats (null when the store cannot say)</li>
 *   <li>{@code POST /v1/groups/{group}/spool/replay}: replays now (202; progress shows in the GET); {@code 409} while
 *       the group is not open, unless the body is {@code {"force": true}}</li>
 *   <li>{@code DELETE /v1/groups/{group}/spool/{ref}}: discards one entry, with an audit entry</li>
 *   <li>{@code POST /v1/groups/{group}/spool/{ref}/requeue}: puts a failed-final entry back in the queue (one held
 *       in doubt after a crash, or refused by a backend since fixed), with an audit entry; replayed at once when the
 *       group is open</li>
 * </ul>
 */
final class SpoolRoutes {
    private final Spool spool;
    private final ReplayTrigger trigger;
    private final RoutingTableHolder routes;
    private final Supplier<Store> store;
    private final String self;
    private final Liveness liveness;

    SpoolRoutes(Spool spool, ReplayTrigger trigger, RoutingTableHolder routes, Supplier<Store> store, String self,
                Liveness liveness) {
        this.spool = spool;
        this.trigger = trigger;
        this.routes = routes;
        this.store = store;
        this.self = self;
        this.liveness = liveness;
    }

    void register(Router router) {
        router.add("GET", "/v1/groups/{group}/spool", Handler.sync(this::summary));
        router.add("POST", "/v1/groups/{group}/spool/replay", Handler.sync(this::replay));
        router.add("DELETE", "/v1/groups/{group}/spool/{ref}", Handler.sync(this::discard));
        router.add("POST", "/v1/groups/{group}/spool/{ref}/requeue", Handler.sync(this::requeue));
    }

    private String knownGroup(ApiRequest r) {
        String group = r.param("group");
        if (routes.get().group(group) == null && !spool.groups().contains(group)) {
            throw ApiException.notFound("no group named '" + group + "'");
        }
        return group;
    }

    private ApiResponse summary(ApiRequest r) {
        String group = knownGroup(r);
        Map<String, Object> body = describe(spool.summary(group));
        // Found on a fleet walkthrough: asked through gw-1, this said 0 waiting while gw-2 held a queued write of
        // the group, and 'ctl status' showed QUEUED 0. Each gateway spools to its own disk; this says whose it is.
        body.put("gateway", self);
        body.put("waitingElsewhere", waitingElsewhere(group));
        return ApiResponse.ok(body);
    }

    /** What the other live gateways publish as waiting for {@code group}; null when the store cannot be read. */
    private Map<String, Integer> waitingElsewhere(String group) {
        FleetView fleet;
        try {
            fleet = store.get().fleet();
        } catch (RuntimeException e) {
            return null; // the spool is shown without the store: it may be what is being migrated
        }
        Map<String, Integer> elsewhere = new TreeMap<>();
        SpoolBeacon.publishedElsewhere(fleet, group, self).forEach((g, n) -> {
            if (liveness.isLive(g, fleet)) {
                elsewhere.put(g.gatewayId(), n);
            }
        });
        return elsewhere;
    }

    /**
     * Replays now. While the group is not open, replayed writes would reach a backend that the fleet still protects
     * from writes (a migration in progress): {@code 409} unless the body says {@code {"force": true}}.
     */
    private ApiResponse replay(ApiRequest r) {
        String group = knownGroup(r);
        GroupRoute route = routes.get().group(group);
        if (route != null && route.mode() != Mode.OPEN && !forced(r)) {
            throw new ApiException(409, "group not open", "group " + group + " is still " + route.mode().wireName()
                    + ": its queued writes replay by themselves when it opens; to replay them now anyway, send"
                    + " {\"force\": true}", Map.of("mode", route.mode().wireName()));
        }
        boolean started = trigger.replay(group, "asked by " + r.actor());
        Map<String, Object> body = describe(spool.summary(group));
        body.put("replayStarted", started);
        return ApiResponse.of(202, body);
    }

    /** {@code {"force": true}} in the body; no body (or an empty one) is no force. */
    private static boolean forced(ApiRequest r) {
        if (r.body().length == 0) {
            return false;
        }
        ReplayBody b = r.json(ReplayBody.class);
        return Boolean.TRUE.equals(b.force());
    }

    record ReplayBody(Boolean force) {
    }

    private ApiResponse discard(ApiRequest r) throws Exception {
        return ApiResponse.ok(Map.of("discarded", changeEntry(r, knownGroup(r), "spool.discard", spool::discard)));
    }

    private ApiResponse requeue(ApiRequest r) throws Exception {
        String group = knownGroup(r);
        // only a failed-final entry goes back (409 otherwise)
        Map<String, Object> before = changeEntry(r, group, "spool.requeue", spool::requeue);
        GroupRoute route = routes.get().group(group);
        boolean started = route != null && route.mode() == Mode.OPEN && trigger.replay(group, "requeued by " + r.actor());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("requeued", before);
        body.put("replayStarted", started);
        return ApiResponse.ok(body);
    }

    /** What ops do to one entry: discard or requeue it. */
    @FunctionalInterface
    private interface EntryChange {
        Optional<EntryView> apply(String group, String ref, String actor) throws java.io.IOException;
    }

    /**
     * Applies an ops change to one entry and audits it; returns the entry as it was. {@code 404} for an unknown entry,
     * {@code 409} when the entry's status does not allow it (being replayed, already delivered, not failed-final).
     */
    private Map<String, Object> changeEntry(ApiRequest r, String group, String action, EntryChange change)
            throws Exception {
        String ref = r.param("ref");
        Optional<EntryView> changed;
        try {
            changed = change.apply(group, ref, r.actor());
        } catch (IllegalStateException e) {
            throw new ApiException(409, "conflict", e.getMessage());
        }
        if (changed.isEmpty()) {
            throw ApiException.notFound("no queued write '" + ref + "' in group " + group);
        }
        Map<String, Object> before = entry(changed.get());
        store.get().recordEvent(r.actor(), action, group + "/" + ref, Json.STRICT.writeValueAsString(before), null);
        return before;
    }

    private static Map<String, Object> describe(SpoolSummary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("group", s.group());
        m.put("count", s.waiting());
        m.put("bytes", s.bytes());
        m.put("oldest", s.oldestArrival() == null ? null : s.oldestArrival().toString());
        m.put("failedFinal", s.failedFinal());
        m.put("setAside", s.setAside());
        List<Map<String, Object>> entries = s.entries().stream().map(SpoolRoutes::entry).toList();
        m.put("entries", entries);
        return m;
    }

    private static Map<String, Object> entry(EntryView e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ref", e.referenceId());
        m.put("method", e.method());
        m.put("path", e.path());
        m.put("arrival", e.arrival() == null ? null : e.arrival().toString());
        m.put("bytes", e.sizeBytes());
        m.put("status", e.status().wireName());
        m.put("attempts", e.attempts());
        m.put("lastStatus", e.lastStatus());
        m.put("lastReason", e.lastReason());
        m.put("lastAttemptAt", e.lastAttemptAt() == null ? null : e.lastAttemptAt().toString());
        return m;
    }
}
