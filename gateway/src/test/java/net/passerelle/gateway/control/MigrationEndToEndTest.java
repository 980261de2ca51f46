package net.passerelle.gateway.control;

import com.fasterxml.jackson.databind.JsonNode;
import net.passerelle.admin.model.HostPort;
import net.passerelle.gateway.Passerelle;
import net.passerelle.gateway.config.SeedHost;
import net.passerelle.gateway.config.SeedGroup;
import net.passerelle.gateway.config.SeedConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.config.MigrationConfig;
import net.passerelle.gateway.e2e.NginxBackend;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static net.passerelle.gateway.control.ControlPlaneHarness.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The migration morning through the whole process, against real servers: {@code POST /v1/migrations}, continue,
 * and either done under load or the incident's server refused, then aborted.
 */
class MigrationEndToEndTest {
    private static final String HOST = "alice.gallery.example";
    private static final String PAGE = "<html><head><title>Alice's photos</title></head><body>%s</body></html>";

    @TempDir
    Path dir;
    private StubBackend oldServer;
    private Passerelle gateway;
    private final List<AutoCloseable> closing = new ArrayList<>();

    private void start() throws Exception {
        oldServer = new StubBackend();
        oldServer.respondWith(StubBackend.html(String.format(PAGE, "old")));
        GatewayConfig base = ControlPlaneHarness.config("gw-migrate", "jdbc:h2:file:" + dir.resolve("store"), "", "", dir, true)
                .withMigrations(new MigrationConfig(Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofSeconds(20)));
        gateway = Passerelle.start(base.withSeed(new SeedConfig(
                Map.of("srv-12", new SeedGroup(List.of(HostPort.parse(oldServer.hostPort())), List.of(),
                        "open", "reject", 300, Map.of(), "piwigo")),
                Map.of(HOST, new SeedHost("srv-12", "alice")))));
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (oldServer != null) {
            oldServer.close();
        }
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private JsonNode migration(String id) throws Exception {
        ControlPlaneHarness.Answer a = admin(gateway, "GET", "/v1/migrations/" + id, null);
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    private JsonNode awaitState(String id, String state) throws Exception {
        JsonNode[] last = new JsonNode[1];
        ControlPlaneHarness.await(id + " in " + state, Duration.ofSeconds(30), () -> {
            try {
                last[0] = migration(id);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return state.equals(last[0].get("state").asText()) && stepsSettled(last[0]);
        });
        return last[0];
    }

    /** The view's last recorded step is not running, or the state waits for ops (whose step runs until they act). */
    private static boolean stepsSettled(JsonNode view) {
        String state = view.get("state").asText();
        if (state.equals("awaiting-copy") || state.equals("verification-failed")) {
            return true;
        }
        for (JsonNode s : view.get("steps")) {
            if (s.get("status").asText().equals("running")) {
                return false;
            }
        }
        return true;
    }

    private static String body(String group, List<String> backends, boolean dryRun) {
        return "{\"group\": \"" + group + "\", \"to\": {\"backends\": [\"" + String.join("\", \"", backends) + "\"]},"
                + " \"writes\": \"queue\", \"maxReadOnlySeconds\": 900" + (dryRun ? ", \"dryRun\": true" : "") + "}";
    }

    @Test
    void theIncidentsServerIsRefusedTheGroupStaysOnItsOldBackendsAndAnAbortReplaysItsWritesThere() throws Exception {
        start();
        // The new server: its gallery is configured on its IPv4 address only; on IPv6, nginx's default page.
        NginxBackend nginx = NginxBackend.start(List.of(new NginxBackend.Vhost(HOST, String.format(PAGE, "new"), true, false)));
        closing.add(nginx);
        List<String> target = List.of("127.0.0.1:" + nginx.ipv4().getPort(), "[::1]:" + nginx.ipv6().getPort());

        ControlPlaneHarness.Answer dry = admin(gateway, "POST", "/v1/migrations", body("srv-12", target, true));
        assertEquals(200, dry.status(), dry.body());
        assertFalse(dry.json().get("ok").asBoolean(), dry.body());
        assertTrue(dry.json().get("dryRun").asBoolean());
        assertEquals(0, admin(gateway, "GET", "/v1/migrations", null).json().get("migrations").size(), "a dry run stores nothing");
        assertEquals(404, admin(gateway, "POST", "/v1/migrations", body("srv-99", target, false)).status());
        assertEquals(400, admin(gateway, "POST", "/v1/migrations", "{\"group\": \"srv-12\", \"to\": {\"backends\": []}}").status());
        assertEquals(400, admin(gateway, "POST", "/v1/migrations", "{\"group\": \"srv-12\", \"to\": {\"backends\": [\"x:1\"]}, \"writes\": \"later\"}").status());

        ControlPlaneHarness.Answer created = admin(gateway, "POST", "/v1/migrations", body("srv-12", target, false));
        assertEquals(201, created.status(), created.body());
        String id = created.json().get("id").asText();
        assertEquals(8, created.json().get("steps").size(), created.body());
        ControlPlaneHarness.Answer again = admin(gateway, "POST", "/v1/migrations", body("srv-12", target, false));
        assertEquals(409, again.status(), again.body());
        assertEquals(id, again.json().get("migration").asText());

        awaitState(id, "awaiting-copy");
        RawHttp.Response queued = ControlPlaneHarness.post(gateway, HOST);
        assertEquals(202, queued.status(), queued.bodyText());
        String ref = queued.header("x-passerelle-reference");
        assertNotNull(ref);
        String since = admin(gateway, "GET", "/v1/groups/srv-12", null).json().get("readOnlySince").asText();
        String hhmm = java.time.Instant.parse(since).toString().substring(11, 16);
        assertTrue(queued.bodyText().contains("read-only since " + hhmm), "the notice says since when: " + queued.bodyText());
        assertEquals(200, ControlPlaneHarness.get(gateway, HOST).status());

        assertEquals(200, admin(gateway, "POST", "/v1/migrations/" + id + "/continue", null).status());
        JsonNode failed = awaitState(id, "verification-failed");
        String report = failed.get("report").toString();
        assertTrue(report.contains("Welcome to nginx!"), report);
        assertTrue(report.contains("[::1]:" + nginx.ipv6().getPort()), report);
        JsonNode group = admin(gateway, "GET", "/v1/groups/srv-12", null).json();
        assertEquals("read-only", group.get("mode").asText(), group.toString());
        assertTrue(group.toString().contains(oldServer.hostPort()) && !group.toString().contains(target.get(0)), group.toString());
        assertTrue(ControlPlaneHarness.get(gateway, HOST).bodyText().contains("old"));

        ControlPlaneHarness.Answer abort = admin(gateway, "POST", "/v1/migrations/" + id + "/abort", null);
        assertEquals(200, abort.status(), abort.body());
        JsonNode aborted = awaitState(id, "aborted");
        JsonNode reopened = admin(gateway, "GET", "/v1/groups/srv-12", null).json();
        assertEquals("open", reopened.get("mode").asText());
        assertEquals("reject", reopened.get("writes").asText(), "the group's own policy, not the migration's queue");
        ControlPlaneHarness.await("the queued write replayed to the old server", Duration.ofSeconds(20),
                () -> oldServer.all().stream().anyMatch(s -> ref.equals(s.header("idempotency-key"))));
        assertTrue(nginx.accessLog().stream().noneMatch(l -> l.contains("POST")), nginx.accessLog().toString());
        assertEquals(409, admin(gateway, "POST", "/v1/migrations/" + id + "/continue", null).status());
        assertEquals("aborted", last(aborted.get("steps")).get("step").asText());
        List<String> actions = new ArrayList<>();
        admin(gateway, "GET", "/v1/audit?limit=200", null).json().path("entries").forEach(e -> actions.add(e.path("action").asText()));
        assertTrue(actions.containsAll(List.of("migration.scheduled", "migration.read-only", "migration.awaiting-copy",
                "migration.verifying", "migration.verification-failed", "migration.aborted")), actions.toString());
    }

    @Test
    void aMigrationUnderLoadLosesNoReadAndDeliversEveryQueuedWriteOnceToTheNewServer() throws Exception {
        start();
        StubBackend newServer = new StubBackend();
        closing.add(newServer);
        newServer.respondWith(StubBackend.html(String.format(PAGE, "new")));
        HttpResponse<String> created = ControlPlaneHarness.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + gateway.adminAddress().getPort() + "/v1/migrations"))
                .header("Authorization", "Bearer " + ControlPlaneHarness.TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body("srv-12", List.of(newServer.hostPort()), false))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        String id = ControlPlaneHarness.JSON.readTree(created.body()).get("id").asText();
        assertEquals("/v1/migrations/" + id, created.headers().firstValue("location").orElse(null));
        List<String> events = new CopyOnWriteArrayList<>();
        Thread stream = follow(id, events);

        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        List<String> refs = new CopyOnWriteArrayList<>();
        List<Thread> load = List.of(reader(stop, problems), reader(stop, problems), writer(stop, problems, refs));
        load.forEach(Thread::start);
        awaitState(id, "awaiting-copy");
        ControlPlaneHarness.await("writes queued", Duration.ofSeconds(20), () -> refs.size() >= 5);
        String scrape = "http://127.0.0.1:" + gateway.adminAddress().getPort() + "/metrics";
        net.passerelle.gateway.testing.Await.until("the read-only seconds of srv-12", Duration.ofSeconds(10),
                () -> scrape(scrape).contains("passerelle_migration_read_only_seconds{group=\"srv-12\"}"),
                () -> "\n" + scrape(scrape));
        assertEquals(200, admin(gateway, "POST", "/v1/migrations/" + id + "/continue", null).status());
        JsonNode done = awaitState(id, "done");
        stop.set(true);
        for (Thread t : load) {
            t.join();
        }
        stream.join(10_000);
        assertTrue(problems.isEmpty(), problems.toString());
        int oldCount = oldServer.requestCount();
        for (int i = 0; i < 5; i++) {
            assertTrue(ControlPlaneHarness.get(gateway, HOST).bodyText().contains("new"));
            assertEquals(200, ControlPlaneHarness.post(gateway, HOST).status());
        }
        assertEquals(oldCount, oldServer.requestCount(), "nothing reaches the old server after the migration");
        for (String ref : refs) {
            assertEquals(1, newServer.all().stream().filter(s -> ref.equals(s.header("idempotency-key"))).count(),
                    "write " + ref + " delivered once to the new server");
        }
        assertTrue(oldServer.all().stream().noneMatch(s -> s.header("idempotency-key") != null),
                "no queued write went to the old server");
        assertEquals(refs.size(), done.get("spool").get("delivered").asInt(), done.toString());
        assertFalse(done.get("overdue").asBoolean());
        assertTrue(done.get("readOnlySeconds").asLong() >= 0);
        assertEquals("reject", admin(gateway, "GET", "/v1/groups/srv-12", null).json().get("writes").asText(),
                "once migrated the group has its own write policy again, not the migration's queue");
        List<String> plan = List.of("scheduled", "read-only", "awaiting-copy", "verifying", "cutover", "open",
                "replaying", "done");
        List<String> states = events.stream().map(e -> e.replaceAll("^data: \\{.*?\"state\":\"([a-z-]+)\".*", "$1"))
                .distinct().toList();
        for (int i = 1; i < states.size(); i++) {
            assertTrue(plan.indexOf(states.get(i)) > plan.indexOf(states.get(i - 1)), "the stream's states in order: " + states);
        }
        // The driver is in this process: each of its steps is told to the stream as it happens, so from the state
        // at connection on, every state has its event (a stream on another process of the fleet polls the store,
        // and steps that pass between two polls arrive together, each event carrying every step with its times).
        assertTrue(plan.indexOf(states.get(0)) <= plan.indexOf("awaiting-copy"), states.toString());
        assertEquals(plan.subList(plan.indexOf(states.get(0)), plan.size()), states);
        assertEquals("done", states.get(states.size() - 1), "the stream ends with done");
        JsonNode lastEvent = ControlPlaneHarness.JSON.readTree(events.get(events.size() - 1).substring("data: ".length()));
        List<String> steps = new ArrayList<>();
        lastEvent.get("steps").forEach(st -> steps.add(st.get("step").asText() + ":" + st.get("status").asText()));
        assertEquals(plan.stream().map(st -> st + ":done").toList(), steps);
        assertFalse(stream.isAlive(), "the stream ended after done");
        // The gauge counts what the driver read from the store at its last poll (every 50 ms here), which can come
        // just after the stream's last event.
        net.passerelle.gateway.testing.Await.until("passerelle_migrations{state=\"done\"} 1", Duration.ofSeconds(10),
                () -> scrape(scrape).contains("passerelle_migrations{state=\"done\"} 1"), () -> "\n" + scrape(scrape));
    }

    private static String scrape(String url) {
        try {
            return ControlPlaneHarness.HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void abortsBeforeTheReadOnlyStepAndAfterItLeaveTheGroupOpenOnItsOldBackends() throws Exception {
        start();
        String later = "{\"group\": \"srv-12\", \"to\": {\"backends\": [\"127.0.0.1:9\"]}, \"writes\": \"reject\","
                + " \"start\": \"2099-01-01T08:00:00Z\"}";
        ControlPlaneHarness.Answer scheduled = admin(gateway, "POST", "/v1/migrations", later);
        assertEquals(201, scheduled.status(), scheduled.body());
        String first = scheduled.json().get("id").asText();
        assertEquals("2099-01-01T08:00:00Z", scheduled.json().get("start").asText());
        ControlPlaneHarness.Answer early = admin(gateway, "POST", "/v1/migrations/" + first + "/continue", null);
        assertEquals(409, early.status(), early.body());
        assertEquals("scheduled", early.json().get("state").asText());
        assertEquals(200, admin(gateway, "POST", "/v1/migrations/" + first + "/abort", null).status());
        awaitState(first, "aborted");
        JsonNode group = admin(gateway, "GET", "/v1/groups/srv-12", null).json();
        assertEquals("open", group.get("mode").asText());
        assertEquals("reject", group.get("writes").asText(), "a migration that never started changed nothing");

        ControlPlaneHarness.Answer second = admin(gateway, "POST", "/v1/migrations",
                "{\"group\": \"srv-12\", \"to\": {\"backends\": [\"127.0.0.1:9\"]}, \"writes\": \"reject\"}");
        assertEquals(201, second.status(), second.body());
        String id = second.json().get("id").asText();
        awaitState(id, "awaiting-copy");
        RawHttp.Response refused = ControlPlaneHarness.post(gateway, HOST);
        assertEquals(503, refused.status(), "writes: reject refuses writes while read-only");
        assertEquals(200, admin(gateway, "POST", "/v1/migrations/" + id + "/abort", null).status());
        awaitState(id, "aborted");
        assertEquals("open", admin(gateway, "GET", "/v1/groups/srv-12", null).json().get("mode").asText());
        assertEquals(200, ControlPlaneHarness.post(gateway, HOST).status(), "writes reach the old server again");
        assertTrue(ControlPlaneHarness.get(gateway, HOST).bodyText().contains("old"));
        List<String> ids = new ArrayList<>();
        admin(gateway, "GET", "/v1/migrations?group=srv-12", null).json().get("migrations").forEach(m -> ids.add(m.get("id").asText()));
        assertEquals(List.of(id, first), ids, "newest first");
        assertEquals(404, admin(gateway, "GET", "/v1/migrations/mig-nope", null).status());
        assertEquals(404, admin(gateway, "GET", "/v1/migrations/mig-nope/events", null).status());
    }

    /**
     * Nothing but time changes when a migration passes its {@code maxReadOnlySeconds}: its stream must still say so
     * (ctl and the ops page follow it), with an event of its own, once.
     */
    @Test
    void aMigrationThatBecomesOverdueSaysSoOnItsEventStream() throws Exception {
        start();
        ControlPlaneHarness.Answer created = admin(gateway, "POST", "/v1/migrations", "{\"group\": \"srv-12\","
                + " \"to\": {\"backends\": [\"127.0.0.1:9\"]}, \"writes\": \"reject\", \"maxReadOnlySeconds\": 1}");
        assertEquals(201, created.status(), created.body());
        String id = created.json().get("id").asText();
        List<String> events = new CopyOnWriteArrayList<>();
        Thread stream = follow(id, events);
        ControlPlaneHarness.await("an overdue event", Duration.ofSeconds(20),
                () -> events.stream().anyMatch(e -> e.contains("\"overdue\":true")));
        String overdue = events.stream().filter(e -> e.contains("\"overdue\":true")).findFirst().orElseThrow();
        assertTrue(overdue.contains("\"state\":\"awaiting-copy\""), overdue);
        assertTrue(migration(id).get("overdue").asBoolean());
        assertEquals(200, admin(gateway, "POST", "/v1/migrations/" + id + "/abort", null).status());
        stream.join(10_000);
        assertFalse(stream.isAlive(), "the stream ended after the abort");
        assertEquals(1, events.stream().filter(e -> e.contains("\"overdue\":true") && e.contains("\"state\":\"awaiting-copy\""))
                .count(), "one event for becoming overdue: " + events);
    }

    /** Follows the event stream; each {@code data:} line goes to {@code events}; ends when the server ends it. */
    private Thread follow(String id, List<String> events) {
        Thread t = new Thread(() -> {
            try {
                HttpResponse<Stream<String>> r = ControlPlaneHarness.HTTP.send(HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + gateway.adminAddress().getPort() + "/v1/migrations/" + id + "/events"))
                        .header("Authorization", "Bearer " + ControlPlaneHarness.TOKEN).build(),
                        HttpResponse.BodyHandlers.ofLines());
                if (!r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream")) {
                    events.add("wrong content type");
                }
                r.body().filter(l -> l.startsWith("data: ")).forEach(events::add);
            } catch (Exception e) {
                events.add("stream failed: " + e);
            }
        }, "sse-follower");
        t.start();
        return t;
    }

    private Thread reader(AtomicBoolean stop, ConcurrentLinkedQueue<String> problems) {
        return new Thread(() -> {
            while (!stop.get()) {
                try {
                    RawHttp.Response r = ControlPlaneHarness.get(gateway, HOST);
                    if (r.status() != 200) {
                        problems.add("read answered " + r.status());
                    }
                } catch (Exception e) {
                    problems.add("read failed: " + e);
                }
            }
        });
    }

    private Thread writer(AtomicBoolean stop, ConcurrentLinkedQueue<String> problems, List<String> refs) {
        return new Thread(() -> {
            while (!stop.get()) {
                try {
                    RawHttp.Response r = ControlPlaneHarness.post(gateway, HOST);
                    if (r.status() == 202) {
                        refs.add(r.header("x-passerelle-reference"));
                    } else if (r.status() != 200) {
                        problems.add("write answered " + r.status());
                    }
                    Thread.sleep(20); // pacing of the load, not synchronisation
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    problems.add("write failed: " + e);
                }
            }
        });
    }

    private static JsonNode last(JsonNode array) {
        return array.get(array.size() - 1);
    }
}
