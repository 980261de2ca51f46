package net.passerelle.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.passerelle.admin.model.HostPort;
import net.passerelle.gateway.Passerelle;
import net.passerelle.gateway.config.StoreConfig;
import net.passerelle.gateway.config.SpoolConfig;
import net.passerelle.gateway.config.ServerConfig;
import net.passerelle.gateway.config.AdminConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.testing.MariaDbDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first finding, as a new user tried it: two gateways on one MariaDB, one of them frozen by
 * {@code SIGSTOP} (a JVM of its own). The mode call must not say "applied everywhere" by dropping the frozen gateway
 * from its count: it answers {@code 202} naming it {@code lost}, once its lease has ended (and a lost gateway
 * enforces its fail-safe: this one answers nobody while frozen, and applies the change when it wakes up).
 */
class FrozenGatewayTest {
    static final String TOKEN = "frozen-test-token";
    static final String HOST = "alice.gallery.example";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    String db;
    StubBackend backend;
    Passerelle a;
    GatewayProcess frozen;

    @BeforeEach
    void start() throws Exception {
        db = MariaDbDatabases.create("passerelle_frozen");
        backend = new StubBackend();
        a = Passerelle.start(GatewayConfig.defaults()
                .withListeners(List.of(HostPort.parse("127.0.0.1:0")))
                .withAdmin(new AdminConfig(true, HostPort.parse("127.0.0.1:0"), TOKEN))
                .withStore(new StoreConfig(MariaDbDatabases.url(db), MariaDbDatabases.USER,
                        MariaDbDatabases.PASSWORD, Duration.ofMillis(200), dir.resolve("a-snapshot.json").toString()))
                .withSpool(new SpoolConfig(dir.resolve("a-spool").toString()))
                .withAccessLog(new net.passerelle.gateway.config.AccessLogConfig(false, null, null, null, null, null, null))
                .withServer(new ServerConfig(1, "auto", "gw-a", Duration.ofSeconds(1))));
        Path c = Files.createDirectories(dir.resolve("c"));
        frozen = GatewayProcess.start(c, """
                listeners: ["127.0.0.1:0"]
                admin: {enabled: false}
                server: {gatewayId: gw-c, ioThreads: 1}
                store: {url: "%s", user: "%s", password: "%s"}
                """.formatted(MariaDbDatabases.url(db), MariaDbDatabases.USER, MariaDbDatabases.PASSWORD),
                List.of("-Xmx128m", "-XX:+UseSerialGC"));
    }

    @AfterEach
    void stop() throws Exception {
        if (frozen != null) {
            frozen.close();
        }
        if (a != null) {
            a.close();
        }
        backend.close();
        MariaDbDatabases.drop(db);
    }

    @Test
    void aFrozenGatewayIsNamedLostNotDroppedFromTheCount() throws Exception {
        await("gw-c holds a lease", () -> state("gw-c").equals("up-to-date"));
        JsonNode group = call("PUT", "/v1/groups/srv-12", "{\"backends\": [\"" + backend.hostPort() + "\"]}");
        assertEquals(2, group.get("applied").asInt(), group.toString());
        JsonNode host = call("PUT", "/v1/hosts/" + HOST, "{\"group\": \"srv-12\", \"account\": \"alice\"}");
        assertEquals(2, host.get("applied").asInt(), host.toString());
        assertEquals(200, post(frozen.address()), "gw-c routes the host, open");

        frozen.signal("STOP");
        HttpResponse<String> answer = send("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\"}");
        JsonNode body = JSON.readTree(answer.body());
        assertEquals(202, answer.statusCode(), answer.body());
        assertEquals(2, body.get("gateways").asInt(), "the frozen gateway is counted: " + answer.body());
        assertEquals(1, body.get("applied").asInt(), answer.body());
        assertEquals("gw-c", body.get("lost").get(0).asText(), answer.body());
        assertEquals(0, body.get("lagging").size(), answer.body());
        assertEquals(503, post(a.listeners().get(0)), "gw-a enforces read-only at the answer");
        assertEquals("lost", state("gw-c"));

        frozen.signal("CONT");
        await("gw-c applies the change when it wakes", () -> state("gw-c").equals("up-to-date"));
        assertEquals(503, post(frozen.address()), "gw-c enforces read-only");
        JsonNode open = call("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"open\"}");
        assertEquals(2, open.get("applied").asInt(), open.toString());
        assertEquals(200, post(frozen.address()));
    }

    private String state(String id) {
        try {
            for (JsonNode g : call("GET", "/v1/gateways", null).get("gateways")) {
                if (g.get("id").asText().equals(id)) {
                    return g.get("state").asText();
                }
            }
            return "absent";
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A change that must answer 200. */
    private JsonNode call(String method, String path, String json) throws Exception {
        HttpResponse<String> r = send(method, path, json);
        assertEquals(200, r.statusCode(), method + " " + path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> send(String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.adminAddress().getPort() + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TOKEN)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int post(InetSocketAddress gateway) throws Exception {
        try (RawHttp c = new RawHttp(gateway)) {
            return c.send("POST /comments.php HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\ncontent=x").read().status();
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        net.passerelle.gateway.testing.Await.until(what, java.time.Duration.ofSeconds(30), condition);
    }
}
