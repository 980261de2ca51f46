package net.passerelle.admin.api;

import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.Names;
import net.passerelle.admin.model.Window;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.admin.store.NotFoundException;
import net.passerelle.admin.store.Store;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A group's mode and its scheduled window: {@code PUT /v1/groups/{group}/mode},
 * {@code PUT|DELETE /v1/groups/{group}/window}. Each answers once the fleet has applied it (see {@link Confirmed}).
 */
final class ModeRoutes {
    record ModeBody(String mode, String writes, Integer retryAfterSeconds, Map<String, String> message) {
    }

    record WindowBody(String start, String end, String mode, String writes) {
    }

    private final Supplier<Store> store;
    private final FleetConfirmer confirmer;
    private final Clock clock;

    ModeRoutes(Supplier<Store> store, FleetConfirmer confirmer, Clock clock) {
        this.store = store;
        this.confirmer = confirmer;
        this.clock = clock;
    }

    void register(Router router) {
        router.add("PUT", "/v1/groups/{group}/mode", this::putMode);
        router.add("PUT", "/v1/groups/{group}/window", this::putWindow);
        router.add("DELETE", "/v1/groups/{group}/window", this::deleteWindow);
    }

    private CompletableFuture<ApiResponse> putMode(ApiRequest r) {
        String name = Names.requireGroupName(r.param("group"));
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
        return Confirmed.answer(confirmer, version, answer);
    }

    private CompletableFuture<ApiResponse> putWindow(ApiRequest r) {
        String name = Names.requireGroupName(r.param("group"));
        WindowBody b = r.json(WindowBody.class);
        if (b.start() == null || b.end() == null || b.mode() == null) {
            throw ApiException.badRequest("'start', 'end' (ISO-8601 UTC, e.g. 2026-11-22T08:00:00Z) and 'mode' are required");
        }
        Window w = new Window(Views.parseInstant("start", b.start()), Views.parseInstant("end", b.end()),
                Mode.parse(b.mode()), b.writes() == null ? null : WritePolicy.parse(b.writes()));
        if (!w.end().isAfter(clock.instant())) {
            // It would be stored and then never be in force: a typo in the date, most likely.
            throw new ApiException(400, "bad value", "the window's end " + b.end() + " is already past (now "
                    + clock.instant() + "): nothing would be scheduled");
        }
        Store s = store.get();
        // A group has one window: a new one replaces the one scheduled, which the answer names (it was lost silently).
        Window before = s.group(name).map(g -> g.window()).filter(old -> !old.isOver(clock.instant())).orElse(null);
        long version = s.setWindow(r.actor(), name, w);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("group", name);
        answer.put("window", s.group(name).map(g -> Views.window(g.window(), clock.instant())).orElse(null));
        if (before != null && !before.equals(w)) {
            answer.put("replaced", Views.window(before, clock.instant()));
        }
        return Confirmed.answer(confirmer, version, answer);
    }

    private CompletableFuture<ApiResponse> deleteWindow(ApiRequest r) {
        String name = Names.requireGroupName(r.param("group"));
        Store s = store.get();
        long version = s.clearWindow(r.actor(), name);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("group", name);
        answer.put("window", null);
        return Confirmed.answer(confirmer, version, answer);
    }
}
