package net.passerelle.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.passerelle.admin.model.HostPort;
import net.passerelle.gateway.Passerelle;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.config.MigrationConfig;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.testing.MariaDbDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin process driving a migration is killed with {@code kill -9} in the middle of its verification; a second
 * gateway of the fleet (same MariaDB) takes the migration over once the lock has lapsed, verifies again and takes it
 * to done: one cutover, and the write queued meanwhile delivered once to the new server.
 */
class MigrationKillTest {
    private static final String TOKEN = "kill-test-token";
    private static final String HOST = "alice.gallery.example";
    private static final String PAGE = "<html><head><title>Alice's photos</title></head><body>%s</body></html>";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern ADMIN = Pattern.compile("admin API listening on /127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;
    private String db;
    private StubBackend oldServer;
    private StubBackend newServer;
    private GatewayProcess a;
    private Passerelle b;

    @AfterEach
    void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (oldServer != null) {
            oldServer.close();
        }
        if (newServer != null) {
            newServer.close();
        }
        MariaDbDatabases.drop(db);
    }

    @Test
    void aDriverKilledWhileVerifyingIsResumedByAnotherGatewayWithOneCutover() throws Exception {
        db = MariaDbDatabases.create("passerelle_mig_kill");
        oldServer = new StubBackend();
        oldServer.respondWith(StubBackend.html(String.format(PAGE, "old")));
        newServer = new StubBackend();
        StubBackend.Responder page = StubBackend.html(String.format(PAGE, "new"));
        // The new server answers verification slowly: the kill lands while gw-a waits for it.
        newServer.respondWith((ctx, seen) -> ctx.executor().schedule(() -> page.respond(ctx, seen), 2000,
                TimeUnit.MILLISECONDS));
        a = GatewayProcess.start(Files.createDirectories(dir.resolve("a")), """
                listeners: ["127.0.0.1:0"]
                admin: {listen: "127.0.0.1:0", token: "%s"}
                server: {gatewayId: gw-a, ioThreads: 1}
                store: {url: "%s", user: "%s", password: "%s", lease: 1s}
                spool: {dir: "./spool"}
                migrations: {pollInterval: 100ms, lockTtl: 2s, replayWait: 20s}
                seed:
                  groups:
                    srv-12: {backends: ["%s"]}
                  hosts:
                    %s: {group: srv-12, account: alice}
                """.formatted(TOKEN, MariaDbDatabases.url(db), MariaDbDatabases.USER, MariaDbDatabases.PASSWORD,
                oldServer.hostPort(), HOST), List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        int adminA = adminPort(a);
        JsonNode created = call(adminA, "POST", "/v1/migrations", "{\"group\": \"srv-12\", \"to\": {\"backends\": [\""
                + newServer.hostPort() + "\"]}, \"writes\": \"queue\"}", 201);
        String id = created.get("id").asText();
        await("gw-a holds the migration in awaiting-copy", () -> "gw-a".equals(lockOwner(id))
                && "awaiting-copy".equals(state(id)));

        b = Passerelle.start(GatewayConfig.defaults()
                .withListeners(List.of(HostPort.parse("127.0.0.1:0")))
                .withAdmin(new GatewayConfig.AdminConfig(true, HostPort.parse("127.0.0.1:0"), TOKEN))
                .withStore(new GatewayConfig.StoreConfig(MariaDbDatabases.url(db), MariaDbDatabases.USER,
                        MariaDbDatabases.PASSWORD, Duration.ofMillis(200), dir.resolve("b-snapshot.json").toString(),
                        Duration.ofSeconds(1), null, null))
                .withSpool(new GatewayConfig.SpoolConfig(dir.resolve("b-spool").toString()))
                .withAccessLog(new net.passerelle.gateway.config.AccessLogConfig(false, null, null, null, null, null, null))
                .withServer(new GatewayConfig.ServerConfig(1, "auto", "gw-b", Duration.ofSeconds(1)))
                .withMigrations(new MigrationConfig(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(20))));
        int adminB = b.adminAddress().getPort();
        String ref;
        try (RawHttp c = new RawHttp(b.listeners().get(0))) {
            RawHttp.Response r = c.send("POST /comments.php HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\ncontent=x").read();
            assertEquals(202, r.status(), r.bodyText());
            ref = r.header("x-passerelle-reference");
        }

        call(adminA, "POST", "/v1/migrations/" + id + "/continue", null, 200);
        try {
            await("gw-a verifying", () -> "verifying".equals(state(id)) && "gw-a".equals(lockOwner(id))
                    && newServer.headsSeen() > 0);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": state " + state(id) + ", lock " + lockOwner(id) + ", new server "
                    + newServer.requestCount() + "\n" + a.output(), e);
        }
        a.signal("KILL");
        await("gw-a dead", () -> !a.isAlive());

        await("gw-b took over and finished", () -> "done".equals(state(id)));
        JsonNode done = call(adminB, "GET", "/v1/migrations/" + id, null, 200);
        JsonNode audit = call(adminB, "GET", "/v1/audit?limit=500", null, 200);
        long cutovers = 0;
        boolean finishedByB = false;
        for (JsonNode e : audit.path("entries")) {
            cutovers += e.path("action").asText().equals("group.backends") ? 1 : 0;
            finishedByB |= e.path("action").asText().equals("migration.cutover") && e.path("actor").asText().contains("gw-b");
        }
        assertEquals(1, cutovers, audit.toString());
        assertTrue(finishedByB, "gw-b drove the cutover");
        assertEquals(1, newServer.all().stream().filter(s -> ref.equals(s.header("idempotency-key"))).count(),
                "the write queued on gw-b was delivered once to the new server");
        assertTrue(oldServer.all().stream().noneMatch(s -> s.header("idempotency-key") != null));
        assertEquals(1, done.get("spool").get("delivered").asInt(), done.toString());
        try (RawHttp c = new RawHttp(b.listeners().get(0))) {
            assertTrue(c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n").read().bodyText()
                    .contains("new"));
        }
    }

    private static int adminPort(GatewayProcess p) {
        int[] port = new int[1];
        await("gw-a's admin API", () -> {
            Matcher m = ADMIN.matcher(p.output());
            if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
                return true;
            }
            return false;
        });
        return port[0];
    }

    private String lockOwner(String id) {
        return column(id, "lock_owner");
    }

    private String state(String id) {
        return column(id, "state");
    }

    private String column(String id, String column) {
        try (Connection c = DriverManager.getConnection(MariaDbDatabases.url(db), MariaDbDatabases.USER, MariaDbDatabases.PASSWORD);
             PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM migration WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode call(int port, String method, String path, String body, int expected) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            r.header("Content-Type", "application/json");
        }
        HttpResponse<String> answer = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, answer.statusCode(), answer.body());
        return JSON.readTree(answer.body());
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
