package net.passerelle.gateway.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.passerelle.gateway.Passerelle;
import net.passerelle.gateway.config.StoreConfig;
import net.passerelle.gateway.config.SpoolConfig;
import net.passerelle.gateway.config.ServerConfig;
import net.passerelle.gateway.config.SeedHost;
import net.passerelle.gateway.config.SeedGroup;
import net.passerelle.gateway.config.SeedConfig;
import net.passerelle.gateway.config.AdminConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.admin.model.HostPort;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A whole gateway for the ops tools' tests: embedded store, admin API with a token, listeners and admin on port 0
 * of 127.0.0.1, and two seeded groups: {@code srv-12} (open, queue policy, on a stub backend, host
 * {@code alice.gallery.example}) and {@code srv-13} (read-only, host {@code bob.gallery.example}).
 */
public final class OpsGateway implements AutoCloseable {
    public static final String TOKEN = "ops-test-token";
    public static final String ALICE = "alice.gallery.example";
    public static final String BOB = "bob.gallery.example";
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public final StubBackend backend;
    public final Passerelle gateway;

    public OpsGateway(Path dir) throws Exception {
        this(dir, c -> c);
    }

    public OpsGateway(Path dir, java.util.function.UnaryOperator<GatewayConfig> tweak) throws Exception {
        backend = new StubBackend();
        backend.respondWith(StubBackend.text("hello from the backend"));
        GatewayConfig c = config(dir, backend.hostPort());
        gateway = Passerelle.start(tweak.apply(c));
    }

    /**
     * A short confirmation timeout, so that a gateway that never confirms makes a 202 quickly, and a long liveness
     * window, so that it is still live however slowly the call that waits for it starts: what the ctl and OpenAPI
     * tours need.
     */
    public static GatewayConfig quickConfirmation(GatewayConfig c) {
        return c.withAdmin(new AdminConfig(true, c.admin().listen(), TOKEN, Duration.ofMillis(2000), Duration.ofSeconds(30),
                null, null, 1000));
    }

    public static GatewayConfig config(Path dir, String backendHostPort) {
        return GatewayConfig.defaults()
                .withListeners(List.of(HostPort.parse("127.0.0.1:0")))
                // The tour of every route without a token fails authentication on purpose, many times from one address.
                .withAdmin(new AdminConfig(true, HostPort.parse("127.0.0.1:0"), TOKEN, Duration.ofSeconds(5), null,
                        null, null, 1000))
                .withStore(new StoreConfig("jdbc:h2:file:" + dir.resolve("store"), "", "", Duration.ofMillis(50),
                        dir.resolve("routing-snapshot.json").toString(), Duration.ofSeconds(1), null, null))
                .withSpool(new SpoolConfig(dir.resolve("spool").toString()))
                .withServer(new ServerConfig(1, "auto", "gw-ops", Duration.ofSeconds(1)))
                .withAccessLog(new net.passerelle.gateway.config.AccessLogConfig(true, dir.resolve("access.log").toString(),
                        null, null, null, null, null))
                .withSeed(new SeedConfig(
                        Map.of("srv-12", new SeedGroup(List.of(HostPort.parse(backendHostPort)), List.of(),
                                        "open", "queue", 600, Map.of(), "piwigo"),
                                "srv-13", new SeedGroup(List.of(HostPort.parse("127.0.0.1:1")), List.of(),
                                        "read-only", "reject", 420, Map.of(), "piwigo")),
                        Map.of(ALICE, new SeedHost("srv-12", "alice"),
                                BOB, new SeedHost("srv-13", "bob"))));
    }

    public String adminUrl() {
        return "http://127.0.0.1:" + gateway.adminAddress().getPort();
    }

    public InetSocketAddress ipv4() {
        return gateway.listeners().stream().filter(a -> a.getAddress() instanceof Inet4Address).findFirst().orElseThrow();
    }

    public record Answer(int status, String body, JsonNode json, HttpResponse<String> response) {
    }

    /** An admin call with the token (when {@code token} is true). */
    public Answer admin(String method, String path, String body, boolean token) throws Exception {
        return admin(method, path, body, token, "application/json");
    }

    /** An admin call with the token (when {@code token} is true) and a body of the given type. */
    public Answer admin(String method, String path, String body, boolean token, String contentType) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(adminUrl() + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token) {
            b.header("Authorization", "Bearer " + TOKEN);
        }
        if (body != null) {
            b.header("Content-Type", contentType);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.headers().firstValue("content-type").orElse("").startsWith("application/json") && !r.body().isEmpty()
                ? JSON.readTree(r.body()) : null;
        return new Answer(r.statusCode(), r.body(), json, r);
    }

    public Answer admin(String method, String path, String body) throws Exception {
        return admin(method, path, body, true);
    }

    /** A Piwigo comment post (a write) through the gateway, on a connection of its own. */
    public RawHttp.Response post(String host) throws Exception {
        try (RawHttp c = new RawHttp(ipv4())) {
            return c.send("POST /comments.php HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\ncontent=x").read();
        }
    }

    @Override
    public void close() {
        gateway.close();
        backend.close();
    }
}
