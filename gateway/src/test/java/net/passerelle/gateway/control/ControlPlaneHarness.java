package net.passerelle.gateway.control;

import net.passerelle.testing.MariaDbDatabases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.passerelle.gateway.Passerelle;
import net.passerelle.gateway.config.StoreConfig;
import net.passerelle.gateway.config.SpoolConfig;
import net.passerelle.gateway.config.ServerConfig;
import net.passerelle.gateway.config.AdminConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.admin.model.HostPort;
import net.passerelle.gateway.testing.RawHttp;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/** Shared helpers of the control-plane tests: gateways on port 0, admin calls, MariaDB databases, waiting for a condition. */
final class ControlPlaneHarness {
    static final String TOKEN = "fleet-test-token";
    static final String MARIADB_USER = MariaDbDatabases.USER;
    static final String MARIADB_PASSWORD = MariaDbDatabases.PASSWORD;
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private ControlPlaneHarness() {
    }

    static String createMariaDb() throws Exception {
        return MariaDbDatabases.create("passerelle_gw");
    }

    static String mariaDbUrl(String db) {
        return MariaDbDatabases.url(db);
    }

    static void dropMariaDb(String db) throws Exception {
        MariaDbDatabases.drop(db);
    }

    /** A configuration on ephemeral ports of 127.0.0.1 with its own snapshot file. */
    static GatewayConfig config(String id, String storeUrl, String user, String password, Path dir, boolean admin) {
        GatewayConfig c = GatewayConfig.defaults()
                .withListeners(List.of(HostPort.parse("127.0.0.1:0")))
                .withAdmin(new AdminConfig(admin, HostPort.parse("127.0.0.1:0"), TOKEN, Duration.ofSeconds(5), null))
                .withStore(new StoreConfig(storeUrl, user, password, Duration.ofMillis(200),
                        dir.resolve("routing-snapshot.json").toString()))
                .withSpool(new SpoolConfig(dir.resolve("spool").toString()))
                .withServer(new ServerConfig(1, "auto", id, Duration.ofSeconds(1)))
                .withAccessLog(new net.passerelle.gateway.config.AccessLogConfig(true, dir.resolve("access.log").toString(),
                        null, null, null, null, null));
        return c;
    }

    /** The test MariaDB server's address, for a relay to forward to. */
    static InetSocketAddress mariaDbServer() {
        URI uri = URI.create(MariaDbDatabases.SERVER.substring("jdbc:".length()));
        return new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 3306 : uri.getPort());
    }

    /** The database {@code db} reached through {@code relay}. */
    static String mariaDbUrlVia(net.passerelle.gateway.testing.FreezableRelay relay, String db) {
        return "jdbc:mariadb://127.0.0.1:" + relay.port() + "/" + db;
    }

    /** {@code config} with another lease policy. */
    static GatewayConfig withLeasePolicy(GatewayConfig config, String onLeaseLost, Duration grace) {
        StoreConfig s = config.store();
        return config.withStore(new StoreConfig(s.url(), s.user(), s.password(), s.pollInterval(),
                s.snapshot(), s.lease(), onLeaseLost, grace));
    }

    record Answer(int status, JsonNode json, String body) {
        /** The names in a JSON array field of the answer. */
        List<String> names(String field) {
            List<String> names = new java.util.ArrayList<>();
            json.path(field).forEach(n -> names.add(n.asText()));
            return names;
        }
    }

    static Answer admin(Passerelle p, String method, String path, String body) throws Exception {
        InetSocketAddress a = p.adminAddress();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + path))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.headers().firstValue("content-type").orElse("").startsWith("application/json") ? JSON.readTree(r.body()) : null;
        return new Answer(r.statusCode(), json, r.body());
    }

    static InetSocketAddress ipv4(Passerelle p) {
        return p.listeners().stream().filter(x -> x.getAddress() instanceof Inet4Address).findFirst().orElseThrow();
    }

    /** A write (a Piwigo comment post) through the gateway; one connection per request. */
    static RawHttp.Response post(Passerelle p, String host) throws Exception {
        try (RawHttp c = new RawHttp(ipv4(p))) {
            return c.send("POST /comments.php HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\ncontent=x").read();
        }
    }

    static RawHttp.Response get(Passerelle p, String host) throws Exception {
        try (RawHttp c = new RawHttp(ipv4(p))) {
            return c.send("GET /index.php HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").read();
        }
    }

    /** Waits for a condition up to a deadline, checking every few milliseconds; fails with {@code what} at the deadline. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        net.passerelle.gateway.testing.Await.until(what, timeout, condition);
    }
}
