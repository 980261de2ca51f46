package net.passerelle.admin.api;

import com.fasterxml.jackson.databind.JsonNode;
import net.passerelle.admin.store.JdbcStore;
import net.passerelle.admin.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API over real HTTP against a real store; subclasses give the database (a fresh one per test).
 * Every refused call is checked to leave the table version (so the whole state) unchanged.
 */
abstract class AdminApiContractTest {
    static final String TOKEN = "s3cret-token-for-tests";

    protected abstract String createDatabase() throws Exception;

    protected abstract void dropDatabase() throws Exception;

    protected abstract String user();

    protected abstract String password();

    Store store;
    AdminServer server;
    FleetConfirmer confirmer;
    HttpClient http = HttpClient.newHttpClient();
    String base;

    @BeforeEach
    void start() throws Exception {
        String url = createDatabase();
        store = new JdbcStore(url, user(), password());
        confirmer = new FleetConfirmer(() -> store, Duration.ofMillis(400), Duration.ofSeconds(3));
        Router router = new Router();
        new ControlApi(() -> store, confirmer, Clock.systemUTC()).register(router);
        HealthRoutes.register(router, List::of, () -> "# metrics\n");
        // A failure limit no test of refusals reaches; failedAuthenticationsAreCountedAndLimitedPerAddress tests it.
        server = new AdminServer(new InetSocketAddress("127.0.0.1", 0), new Authenticator(Map.of("admin", TOKEN), 1000),
                router).start();
        base = "http://127.0.0.1:" + server.address().getPort();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        confirmer.close();
        store.close();
        dropDatabase();
    }

    record Answer(int status, JsonNode json, HttpResponse<String> raw) {
        String text(String field) {
            return json.path(field).asText();
        }
    }

    Answer call(String method, String path, String body) throws Exception {
        return call(method, path, body, "application/json", TOKEN, null);
    }

    Answer call(String method, String path, String body, String contentType, String token, String actor) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null && body != null) {
            b.header("Content-Type", contentType);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (actor != null) {
            b.header(AdminServer.ACTOR_HEADER, actor);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.headers().firstValue("content-type").orElse("").startsWith("application/json")
                ? Json.STRICT.readTree(r.body()) : null;
        return new Answer(r.statusCode(), json, r);
    }

    void assertError(Answer a, int status) {
        assertEquals(status, a.status(), () -> a.raw().body());
        assertNotNull(a.json(), "errors are JSON");
        assertFalse(a.text("error").isEmpty(), "error field: " + a.raw().body());
        assertTrue(a.json().has("detail"), "detail field: " + a.raw().body());
    }

    void createGroupAndHost() throws Exception {
        assertEquals(200, call("PUT", "/v1/groups/srv-12", "{\"backends\": [\"127.0.0.1:8081\"], \"spares\": [\"[::1]:8082\"]}").status());
        assertEquals(200, call("PUT", "/v1/hosts/Alice.Gallery.Example", "{\"group\": \"srv-12\", \"account\": \"alice\"}").status());
    }

    @Test
    void groupsCanBeCreatedReadUpdatedAndListed() throws Exception {
        Answer created = call("PUT", "/v1/groups/srv-12", "{\"backends\": [\"127.0.0.1:8081\"], \"spares\": []}");
        assertEquals(200, created.status(), created.raw().body());
        assertTrue(created.json().get("created").asBoolean());
        assertEquals(1, created.json().get("version").asLong());
        assertEquals(0, created.json().get("gateways").asInt());

        Answer got = call("GET", "/v1/groups/srv-12", null);
        assertEquals(200, got.status());
        assertEquals("open", got.text("mode"));
        assertEquals("reject", got.text("writes"));
        assertEquals("127.0.0.1:8081", got.json().get("backends").get(0).get("address").asText());
        assertEquals("unknown", got.json().get("backends").get(0).get("health").asText());
        assertTrue(got.json().get("window").isNull());

        call("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\"}");
        Answer updated = call("PUT", "/v1/groups/srv-12", "{\"backends\": [\"127.0.0.1:9000\", \"[::1]:9001\"]}");
        assertEquals(200, updated.status());
        assertFalse(updated.json().get("created").asBoolean());
        JsonNode after = call("GET", "/v1/groups/srv-12", null).json();
        assertEquals("read-only", after.get("mode").asText(), "updating backends keeps the mode");
        assertEquals("[::1]:9001", after.get("backends").get(1).get("address").asText());

        call("PUT", "/v1/groups/srv-13", "{\"backends\": []}");
        Answer list = call("GET", "/v1/groups", null);
        assertEquals(200, list.status());
        assertEquals(2, list.json().get("groups").size());
        assertEquals("srv-12", list.json().get("groups").get(0).get("name").asText());
        assertEquals(store.version(), list.json().get("version").asLong());
    }

    @Test
    void hostsAreMappedListedAndDeleted() throws Exception {
        createGroupAndHost();
        Answer host = call("GET", "/v1/hosts/ALICE.gallery.example.", null);
        assertEquals(200, host.status());
        assertEquals("alice.gallery.example", host.text("host"));
        assertEquals("alice", host.text("account"));

        call("PUT", "/v1/groups/srv-13", "{\"backends\": []}");
        call("PUT", "/v1/hosts/bob.gallery.example", "{\"group\": \"srv-13\", \"account\": \"bob\"}");
        assertEquals(1, call("GET", "/v1/hosts?group=srv-12", null).json().get("hosts").size());
        assertEquals(2, call("GET", "/v1/hosts", null).json().get("hosts").size());
        assertError(call("GET", "/v1/hosts?group=nope", null), 404);

        Answer deleted = call("DELETE", "/v1/hosts/bob.gallery.example", null);
        assertEquals(200, deleted.status());
        assertError(call("GET", "/v1/hosts/bob.gallery.example", null), 404);
        assertError(call("DELETE", "/v1/hosts/bob.gallery.example", null), 404);
    }

    @Test
    void aGroupInUseCannotBeDeleted() throws Exception {
        createGroupAndHost();
        long version = store.version();
        Answer refused = call("DELETE", "/v1/groups/srv-12", null);
        assertError(refused, 409);
        assertEquals("alice.gallery.example", refused.json().get("hosts").get(0).asText());
        assertEquals(version, store.version());

        call("DELETE", "/v1/hosts/alice.gallery.example", null);
        assertEquals(200, call("DELETE", "/v1/groups/srv-12", null).status());
        assertError(call("GET", "/v1/groups/srv-12", null), 404);
        assertError(call("DELETE", "/v1/groups/srv-12", null), 404);
    }

    @Test
    void modeChangesAnswerWithTheFleetConfirmation() throws Exception {
        createGroupAndHost();
        Answer a = call("PUT", "/v1/groups/srv-12/mode",
                "{\"mode\": \"read-only\", \"writes\": \"queue\", \"retryAfterSeconds\": 420, \"message\": {\"en\": \"Moving\", \"fr\": \"Déménagement\"}}");
        assertEquals(200, a.status(), a.raw().body());
        assertEquals("read-only", a.text("mode"));
        assertEquals("queue", a.text("writes"));
        assertEquals(store.version(), a.json().get("version").asLong());
        assertEquals(0, a.json().get("applied").asInt());
        assertEquals(0, a.json().get("gateways").asInt());
        JsonNode g = call("GET", "/v1/groups/srv-12", null).json();
        assertEquals(420, g.get("retryAfterSeconds").asInt());
        assertEquals("Déménagement", g.get("message").get("fr").asText());

        // One live gateway that has applied the version, one that has not: 202 naming the laggard.
        long v = store.version();
        store.heartbeat("gw-fast", v + 1, null);
        store.heartbeat("gw-slow", v, null);
        Answer slow = call("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"open\"}");
        assertEquals(202, slow.status(), slow.raw().body());
        assertEquals(1, slow.json().get("applied").asInt());
        assertEquals(2, slow.json().get("gateways").asInt());
        assertEquals("gw-slow", slow.json().get("laggards").get(0).asText());
        assertEquals("open", store.group("srv-12").orElseThrow().mode().wireName(), "the change is made even if unconfirmed");
    }

    @Test
    void windowsAreScheduledAndCancelled() throws Exception {
        createGroupAndHost();
        Instant start = Instant.parse("2030-11-22T08:00:00Z");
        Answer put = call("PUT", "/v1/groups/srv-12/window",
                "{\"start\": \"2030-11-22T08:00:00Z\", \"end\": \"2030-11-22T10:00:00Z\", \"mode\": \"read-only\", \"writes\": \"queue\"}");
        assertEquals(200, put.status(), put.raw().body());
        assertEquals(start, store.group("srv-12").orElseThrow().window().start());
        JsonNode w = call("GET", "/v1/groups/srv-12", null).json().get("window");
        assertEquals("2030-11-22T10:00:00Z", w.get("end").asText());
        assertEquals("queue", w.get("writes").asText());
        assertFalse(w.get("inForce").asBoolean());

        long version = store.version();
        assertError(call("PUT", "/v1/groups/srv-12/window",
                "{\"start\": \"2030-11-22T10:00:00Z\", \"end\": \"2030-11-22T08:00:00Z\", \"mode\": \"read-only\"}"), 400);
        assertError(call("PUT", "/v1/groups/srv-12/window",
                "{\"start\": \"tomorrow\", \"end\": \"2030-11-22T08:00:00Z\", \"mode\": \"read-only\"}"), 400);
        assertError(call("PUT", "/v1/groups/nope/window",
                "{\"start\": \"2030-11-22T08:00:00Z\", \"end\": \"2030-11-22T10:00:00Z\", \"mode\": \"read-only\"}"), 404);
        assertEquals(version, store.version());
        assertFalse(put.json().has("replaced"), "nothing was scheduled before: " + put.raw().body());

        // A group has one window: a second replaces the first, and the answer names the one that is gone.
        Answer second = call("PUT", "/v1/groups/srv-12/window",
                "{\"start\": \"2030-11-23T08:00:00Z\", \"end\": \"2030-11-23T10:00:00Z\", \"mode\": \"maintenance\"}");
        assertEquals(200, second.status(), second.raw().body());
        assertEquals("2030-11-22T08:00:00Z", second.json().path("replaced").path("start").asText(), second.raw().body());
        assertEquals("read-only", second.json().path("replaced").path("mode").asText());
        assertEquals("2030-11-23T08:00:00Z", second.json().path("window").path("start").asText());

        assertEquals(200, call("DELETE", "/v1/groups/srv-12/window", null).status());
        assertEquals(null, store.group("srv-12").orElseThrow().window());
    }

    @Test
    void everyChangeIsAuditedWithItsActor() throws Exception {
        call("PUT", "/v1/groups/srv-12", "{\"backends\": [\"127.0.0.1:8081\"]}", "application/json", TOKEN, "alice@ops");
        call("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"maintenance\"}", "application/json", TOKEN, null);
        Answer audit = call("GET", "/v1/audit?limit=10", null);
        assertEquals(200, audit.status());
        JsonNode entries = audit.json().get("entries");
        assertEquals(2, entries.size());
        assertEquals("group.mode", entries.get(0).get("action").asText());
        assertEquals("admin", entries.get(0).get("actor").asText(), "the token's name");
        assertEquals("open", entries.get(0).get("before").get("mode").asText());
        assertEquals("maintenance", entries.get(0).get("after").get("mode").asText());
        assertEquals("group.create", entries.get(1).get("action").asText());
        assertEquals("admin (note: alice@ops)", entries.get(1).get("actor").asText(), "the header adds a note to the name");
        assertTrue(entries.get(1).get("before").isNull());
        assertError(call("GET", "/v1/audit?limit=0", null), 400);
        assertError(call("GET", "/v1/audit?limit=x", null), 400);
    }

    @Test
    void callsWithoutTheRightTokenAreRefused() throws Exception {
        createGroupAndHost();
        long version = store.version();
        for (String token : new String[] {null, "", "wrong", TOKEN + "x", TOKEN.substring(1)}) {
            Answer a = call("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"maintenance\"}", "application/json", token, null);
            assertError(a, 401);
            assertTrue(a.raw().headers().firstValue("www-authenticate").orElse("").startsWith("Bearer"));
            assertError(call("GET", "/v1/groups", null, null, token, null), 401);
            assertError(call("GET", "/v1/nothing-here", null, null, token, null), 401);
        }
        assertEquals(version, store.version());
        assertEquals("open", store.group("srv-12").orElseThrow().mode().wireName());
        // Health, readiness and metrics need no token.
        assertEquals(200, call("GET", "/healthz", null, null, null, null).status());
        assertEquals(200, call("GET", "/readyz", null, null, null, null).status());
        Answer metrics = call("GET", "/metrics", null, null, null, null);
        assertEquals(200, metrics.status());
        assertTrue(metrics.raw().body().startsWith("# metrics"));
    }

    @Test
    void badCallsGetJsonErrorsAndChangeNothing() throws Exception {
        createGroupAndHost();
        long version = store.version();
        int audits = store.audit(100).size();
        Map<String, Integer> cases = new java.util.LinkedHashMap<>();
        assertError(call("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\""), 400);
        assertError(call("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-write\"}"), 400);
        assertError(call("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\", \"writes\": \"drop\"}"), 400);
        assertError(call("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\", \"retryAfterSeconds\": -1}"), 400);
        assertError(call("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\", \"retryAfterSeconds\": \"5\"}"), 400);
        assertError(call("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\", \"message\": {\"not a tag\": \"x\"}}"), 400);
        assertError(call("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\", \"colour\": \"red\"}"), 400);
        assertError(call("PUT", "/v1/groups/srv-12/mode", "{}"), 400);
        assertError(call("PUT", "/v1/groups/srv-12/mode", "null"), 400);
        assertError(call("PUT", "/v1/groups/srv-12/mode", ""), 400);
        assertError(call("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\"}", "text/plain", TOKEN, null), 415);
        assertError(call("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\"}", null, TOKEN, null), 415);
        assertError(call("PUT", "/v1/groups/nope/mode", "{\"mode\": \"read-only\"}"), 404);
        assertError(call("PUT", "/v1/groups/Bad%20Name", "{\"backends\": []}"), 400);
        assertError(call("PUT", "/v1/groups/srv-14", "{\"spares\": []}"), 400);
        assertError(call("PUT", "/v1/groups/srv-12", "{\"backends\": [\"no-port\"]}"), 400);
        assertError(call("PUT", "/v1/groups/srv-12", "{\"backends\": [\"::1:80\"]}"), 400);
        assertError(call("PUT", "/v1/groups/srv-12", "{\"backends\": [\"127.0.0.1:80\", \"127.0.0.1:80\"]}"), 400);
        assertError(call("PUT", "/v1/hosts/bob.gallery.example", "{\"group\": \"nope\", \"account\": \"bob\"}"), 422);
        assertError(call("PUT", "/v1/hosts/bob-.gallery..example", "{\"group\": \"srv-12\", \"account\": \"bob\"}"), 400);
        assertError(call("PUT", "/v1/hosts/bob.gallery.example", "{\"group\": \"srv-12\"}"), 400);
        assertError(call("PUT", "/v1/hosts/bob.gallery.example", "[1, 2]"), 400);
        assertError(call("POST", "/v1/groups/srv-12", "{}"), 405);
        assertError(call("PATCH", "/v1/groups/srv-12/mode", "{}"), 405);
        assertError(call("GET", "/v1/nothing-here", null), 404);
        assertError(call("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\"}", "application/json", TOKEN, "x".repeat(129)), 400);
        assertError(call("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\"}", "application/json", TOKEN, "alice\tops"), 400);
        assertError(call("PUT", "/v1/groups/srv-12/window",
                "{\"start\": \"2020-11-22T08:00:00Z\", \"end\": \"2020-11-22T10:00:00Z\", \"mode\": \"read-only\"}"), 400);
        Answer notAllowed = call("DELETE", "/v1/audit", null);
        assertEquals("GET", notAllowed.raw().headers().firstValue("allow").orElse(""));
        assertTrue(cases.isEmpty());
        assertEquals(version, store.version(), "no refused call changed the table");
        assertEquals(audits, store.audit(100).size(), "no refused call was audited");
        assertEquals("open", store.group("srv-12").orElseThrow().mode().wireName());
    }

    @Test
    void theApiNeverRunsWithoutAToken() {
        for (String token : new String[] {null, "", " "}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> new AdminServer(new InetSocketAddress("127.0.0.1", 0), token, new Router()));
            assertTrue(e.getMessage().contains("token"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new Authenticator(Map.of(), 10));
        assertThrows(IllegalArgumentException.class, () -> new Authenticator(Map.of("bad name", "t"), 10));
        assertThrows(IllegalArgumentException.class, () -> new Authenticator(Map.of("a", "same", "b", "same"), 10),
                "one token under two names would leave the audit unable to tell who called");
    }

    @Test
    void namedTokensNameTheActor() throws Exception {
        Router router = new Router();
        new ControlApi(() -> store, confirmer, Clock.systemUTC()).register(router);
        Authenticator auth = new Authenticator(Map.of("alice", "alice-secret-1", "deploy-bot", "bot-secret-22"), 10);
        try (AdminServer named = new AdminServer(new InetSocketAddress("127.0.0.1", 0), auth, router).start()) {
            base = "http://127.0.0.1:" + named.address().getPort();
            assertEquals(200, call("PUT", "/v1/groups/srv-12", "{\"backends\": []}", "application/json", "alice-secret-1",
                    "migrating srv-12").status());
            assertEquals(200, call("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\"}", "application/json",
                    "bot-secret-22", null).status());
            assertError(call("GET", "/v1/groups", null, null, TOKEN, null), 401);
            JsonNode entries = call("GET", "/v1/audit", null, null, "alice-secret-1", null).json().get("entries");
            assertEquals("deploy-bot", entries.get(0).get("actor").asText());
            assertEquals("alice (note: migrating srv-12)", entries.get(1).get("actor").asText());
        }
    }

    @Test
    void failedAuthenticationsAreCountedAndLimitedPerAddress() throws Exception {
        Router router = new Router();
        new ControlApi(() -> store, confirmer, Clock.systemUTC()).register(router);
        HealthRoutes.register(router, List::of, () -> "# metrics\n");
        Authenticator auth = new Authenticator(Map.of("admin", TOKEN), 3);
        try (AdminServer limited = new AdminServer(new InetSocketAddress("127.0.0.1", 0), auth, router).start()) {
            base = "http://127.0.0.1:" + limited.address().getPort();
            assertEquals(200, call("GET", "/v1/groups", null).status(), "successes cost nothing");
            for (int i = 0; i < 3; i++) {
                assertError(call("GET", "/v1/groups", null, null, "guess-" + i, null), 401);
            }
            assertEquals(3, auth.failures());
            // The address has no attempt left: even the right token gets 429, so a guesser learns nothing more.
            Answer refused = call("GET", "/v1/groups", null);
            assertError(refused, 429);
            long retry = Long.parseLong(refused.raw().headers().firstValue("retry-after").orElseThrow());
            assertTrue(retry >= 1 && retry <= 20, "one attempt comes back every 20 s: " + retry);
            assertEquals(1, auth.refusedWhileLimited());
            assertEquals(200, call("GET", "/healthz", null, null, null, null).status(), "open routes are not limited");
        }
    }

    @Test
    void deletingAGroupAnswersWithTheFleetConfirmation() throws Exception {
        assertEquals(200, call("PUT", "/v1/groups/srv-13", "{\"backends\": []}").status());
        Answer deleted = call("DELETE", "/v1/groups/srv-13", null);
        assertEquals(200, deleted.status(), deleted.raw().body());
        assertEquals("srv-13", deleted.text("deleted"));
        assertEquals(store.version(), deleted.json().get("version").asLong());
        assertTrue(deleted.json().has("applied") && deleted.json().has("gateways"), deleted.raw().body());
    }

    @Test
    void answersCarryADate() throws Exception {
        Answer a = call("GET", "/v1/groups", null);
        String date = a.raw().headers().firstValue("date").orElseThrow();
        java.time.ZonedDateTime.parse(date, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME);
    }

    @Test
    void extraRoutesCanBeRegistered() throws Exception {
        server.router().add("POST", "/v1/groups/{group}/cutover",
                Handler.sync(r -> ApiResponse.ok(Map.of("group", r.param("group"), "actor", r.actor()))));
        Answer a = call("POST", "/v1/groups/srv-12/cutover", "{}");
        assertEquals(200, a.status());
        assertEquals("srv-12", a.text("group"));
        assertEquals("admin", a.text("actor"));
    }
}
