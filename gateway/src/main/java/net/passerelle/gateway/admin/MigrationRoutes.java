package net.passerelle.gateway.admin;

import net.passerelle.admin.api.ApiException;
import net.passerelle.admin.api.ApiRequest;
import net.passerelle.admin.api.ApiResponse;
import net.passerelle.admin.api.Handler;
import net.passerelle.admin.api.MigrationEvents;
import net.passerelle.admin.api.MigrationViews;
import net.passerelle.admin.api.Router;
import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.Migration;
import net.passerelle.admin.model.MigrationState;
import net.passerelle.admin.model.Names;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.admin.store.Store;
import net.passerelle.gateway.migration.MigrationCommands;
import net.passerelle.gateway.migration.MigrationEffects;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * Migrations as one call (spec item 19): {@code POST /v1/migrations} (or its dry run), {@code GET /v1/migrations},
 * {@code GET /v1/migrations/{id}}, {@code POST /v1/migrations/{id}/continue}, {@code POST …/abort} and the event
 * stream {@code GET …/events}. The work itself is the migration driver's; these routes record what ops ask for.
 */
final class MigrationRoutes {
    record Target(List<String> backends, List<String> spares) {
    }

    record MigrationBody(String group, Target to, String writes, Integer maxReadOnlySeconds, String start,
                         Boolean dryRun, String path) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final int MAX_READ_ONLY_SECONDS = 7 * 24 * 3600;

    private final Supplier<Store> store;
    private final MigrationCommands commands;
    private final MigrationEffects effects;
    private final ScheduledExecutorService events;
    private final Clock clock;

    MigrationRoutes(Supplier<Store> store, MigrationCommands commands, MigrationEffects effects,
                    ScheduledExecutorService events, Clock clock) {
        this.store = store;
        this.commands = commands;
        this.effects = effects;
        this.events = events;
        this.clock = clock;
    }

    void register(Router router) {
        router.add("POST", "/v1/migrations", this::create);
        router.add("GET", "/v1/migrations", Handler.sync(this::list));
        router.add("GET", "/v1/migrations/{id}", Handler.sync(r -> ApiResponse.ok(view(commands.find(r.param("id"))))));
        router.add("POST", "/v1/migrations/{id}/continue",
                Handler.sync(r -> ApiResponse.ok(view(commands.continueMigration(r.param("id"), r.actor())))));
        router.add("POST", "/v1/migrations/{id}/abort",
                Handler.sync(r -> ApiResponse.ok(view(commands.abort(r.param("id"), r.actor())))));
        router.add("GET", "/v1/migrations/{id}/events", Handler.sync(this::events));
    }

    private CompletableFuture<ApiResponse> create(ApiRequest r) {
        MigrationBody body = r.json(MigrationBody.class);
        Migration draft = draft(body);
        Store s = store.get();
        if (s.group(draft.group()).isEmpty()) {
            throw ApiException.notFound("no group named '" + draft.group() + "'");
        }
        if (Boolean.TRUE.equals(body.dryRun())) {
            return effects.verify(draft).thenApply(report -> {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("dryRun", true);
                answer.put("group", draft.group());
                answer.put("ok", report.ok());
                answer.put("report", report);
                return ApiResponse.ok(answer);
            });
        }
        Migration m = commands.create(r.actor(), draft);
        return CompletableFuture.completedFuture(new ApiResponse(201, view(m), null,
                Map.of("Location", "/v1/migrations/" + m.id())));
    }

    private ApiResponse list(ApiRequest r) {
        String group = r.queryParam("group");
        List<Map<String, Object>> views = new ArrayList<>();
        for (Migration m : store.get().migrations().list(group, 1000)) {
            views.add(view(m));
        }
        return ApiResponse.ok(Map.of("migrations", views));
    }

    private ApiResponse events(ApiRequest r) {
        String id = r.param("id");
        commands.find(id);
        MigrationEvents stream = new MigrationEvents(() -> store.get().migrations().find(id), events,
                Duration.ofMillis(250), Duration.ofSeconds(15), clock);
        return new ApiResponse(200, stream, "text/event-stream", null);
    }

    private Map<String, Object> view(Migration m) {
        return MigrationViews.view(m, clock.instant());
    }

    /** The body checked whole before anything is stored: a bad field is a 400 that changes nothing. */
    private Migration draft(MigrationBody b) {
        if (b.group() == null) {
            throw ApiException.badRequest("'group' is required");
        }
        String group = Names.requireGroupName(b.group());
        if (b.to() == null || b.to().backends() == null || b.to().backends().isEmpty()) {
            throw ApiException.badRequest("'to.backends' must name at least one backend");
        }
        List<String> backends = backends(b.to().backends());
        List<String> spares = backends(b.to().spares() == null ? List.of() : b.to().spares());
        WritePolicy writes = b.writes() == null ? WritePolicy.QUEUE : WritePolicy.parse(b.writes());
        if (b.maxReadOnlySeconds() != null && (b.maxReadOnlySeconds() < 1 || b.maxReadOnlySeconds() > MAX_READ_ONLY_SECONDS)) {
            throw new ApiException(400, "bad value", "maxReadOnlySeconds must be 1.." + MAX_READ_ONLY_SECONDS);
        }
        Instant start = b.start() == null ? null : instant(b.start());
        if (b.path() != null && (!b.path().startsWith("/") || b.path().length() > 1000)) {
            throw new ApiException(400, "bad value", "'path' must start with / (at most 1000 characters)");
        }
        Store s = store.get();
        Migration.Placement from = s.group(group).map(g -> new Migration.Placement(
                g.backends().stream().map(Backend::toString).toList(), g.spares().stream().map(Backend::toString).toList()))
                .orElse(new Migration.Placement(List.of(), List.of()));
        Instant now = clock.instant();
        String id = "mig-" + ID_TIME.format(now) + "-" + String.format("%06x", RANDOM.nextInt(1 << 24));
        return new Migration(id, group, MigrationState.SCHEDULED, writes, from, new Migration.Placement(backends, spares),
                b.maxReadOnlySeconds(), start, b.path(), now, now, null, null, null, null, null, null, true, List.of());
    }

    private static List<String> backends(List<String> list) {
        List<String> out = new ArrayList<>();
        for (String b : list) {
            try {
                out.add(Backend.parse(b).toString());
            } catch (IllegalArgumentException | NullPointerException e) {
                throw ApiException.badRequest("bad backend '" + b + "': " + e.getMessage());
            }
        }
        return out;
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new ApiException(400, "bad value", "'start' must be an ISO-8601 UTC instant such as"
                    + " 2026-11-22T08:00:00Z, not '" + text + "'");
        }
    }
}
