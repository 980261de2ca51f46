package net.passerelle.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.passerelle.admin.model.HostPort;
import net.passerelle.gateway.Passerelle;
import net.passerelle.gateway.config.AccessLogConfig;
import net.passerelle.gateway.config.AdminConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.config.MigrationConfig;
import net.passerelle.gateway.config.ServerConfig;
import net.passerelle.gateway.config.SpoolConfig;
import net.passerelle.gateway.config.StoreConfig;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.testing.MariaDbDatabases;

import java.net.InetSocketAddress;
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
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A fleet on one fresh MariaDB database, for the migration of group srv-12 from an old to a new {@link StubBackend}:
 * <ul>
 *   <li>gw-a, a JVM of its own with the admin API, which creates and drives the migration and which the test kills
 *       with {@code kill -9};</li>
 *   <li>gw-b, in the test's JVM, started when the test says (once gw-a holds the migration's lock, so that gw-b can
 *       only get it by taking it over);</li>
 *   <li>optionally gw-c, a data-plane JVM with a lease far longer than any test step, which the test freezes with
 *       {@code kill -STOP}: while frozen with a valid lease it is waited for by every fleet confirmation.</li>
 * </ul>
 * It reads the store directly: what the tests check is what the store holds. Locks last 2 s and drivers poll every
 * 100 ms ({@code migrations:}), so a killed driver is taken over about 2 s later.
 */
final class MigrationFleet implements AutoCloseable {
    static final String TOKEN = "kill-test-token";
    static final String HOST = "alice.gallery.example";
    static final String GROUP = "srv-12";
    private static final String PAGE = "<html><head><title>Alice's photos</title></head><body>%s</body></html>";
    static final StubBackend.Responder NEW_PAGE = StubBackend.html(String.format(PAGE, "new"));
    /** What a new server that was set up but not given the data answers: the verification must refuse it. */
    static final StubBackend.Responder DEFAULT_PAGE = StubBackend.html(
            "<html><head><title>Welcome to nginx!</title></head><body>Welcome to nginx!</body></html>");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<String> JVM = List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final Pattern ADMIN = Pattern.compile("admin API listening on /127\\.0\\.0\\.1:(\\d+)");
    private static final Duration MIGRATIONS = Duration.ofSeconds(2);

    final StubBackend oldServer;
    final StubBackend newServer;
    private final Path dir;
    private final String db;
    private final String yamlA;
    private GatewayProcess a;
    private int adminA;
    private Passerelle b;
    private CompletableFuture<GatewayProcess> c;
    private boolean witnessChecked;
    private Connection reader;

    private MigrationFleet(Path dir, String db, StubBackend oldServer, StubBackend newServer) {
        this.dir = dir;
        this.db = db;
        this.oldServer = oldServer;
        this.newServer = newServer;
        this.yamlA = """
                listeners: ["127.0.0.1:0"]
                admin: {listen: "127.0.0.1:0", token: "%s"}
                server: {gatewayId: gw-a, ioThreads: 1, drainTimeout: 1s}
                store: {url: "%s", user: "%s", password: "%s", lease: 1s}
                spool: {dir: "./spool"}
                migrations: {pollInterval: 100ms, lockTtl: %dms, replayWait: 20s}
                seed:
                  groups:
                    %s: {backends: ["%s"]}
                  hosts:
                    %s: {group: %s, account: alice}
                """.formatted(TOKEN, MariaDbDatabases.url(db), MariaDbDatabases.USER, MariaDbDatabases.PASSWORD,
                MIGRATIONS.toMillis(), GROUP, oldServer.hostPort(), HOST, GROUP);
    }

    /**
     * A fresh database, the two servers and gw-a (which seeds the group); with {@code witness}, gw-c too, started in
     * the background once gw-a has created the schema (see {@link #witness()}).
     */
    static MigrationFleet start(Path dir, boolean witness) throws Exception {
        String db = MariaDbDatabases.create("passerelle_mig_kill");
        StubBackend oldServer = new StubBackend();
        oldServer.respondWith(StubBackend.html(String.format(PAGE, "old")));
        StubBackend newServer = new StubBackend();
        newServer.respondWith(NEW_PAGE);
        MigrationFleet f = new MigrationFleet(dir, db, oldServer, newServer);
        try {
            f.a = GatewayProcess.start(Files.createDirectories(dir.resolve("a")), f.yamlA, JVM);
            f.adminA = f.adminPort();
            if (witness) {
                f.c = CompletableFuture.supplyAsync(f::startWitness);
            }
        } catch (Exception | AssertionError e) {
            f.close();
            throw e;
        }
        return f;
    }

    /** gw-c: no admin API, no spool; its 30 s lease outlasts every hold of these tests. */
    private GatewayProcess startWitness() {
        try {
            return GatewayProcess.start(Files.createDirectories(dir.resolve("c")), """
                    listeners: ["127.0.0.1:0"]
                    admin: {enabled: false}
                    server: {gatewayId: gw-c, ioThreads: 1, drainTimeout: 1s}
                    store: {url: "%s", user: "%s", password: "%s", lease: 30s}
                    """.formatted(MariaDbDatabases.url(db), MariaDbDatabases.USER, MariaDbDatabases.PASSWORD), JVM);
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    /**
     * gw-c; the first time, once it has applied the store's table and holds its lease (later it may be frozen, and
     * behind on purpose).
     */
    GatewayProcess witness() {
        GatewayProcess w = c.join();
        if (!witnessChecked) {
            await("gw-c up to date with a lease", () -> appliedVersion("gw-c") == tableVersion()
                    && number("SELECT lease_until_ms - ? FROM gateway_status WHERE gateway_id = 'gw-c'",
                    System.currentTimeMillis()) > 10_000);
            witnessChecked = true;
        }
        return w;
    }

    /** Starts gw-b in this JVM: admin API, spool, and the same migrations settings as gw-a. */
    void startB() throws InterruptedException {
        b = Passerelle.start(GatewayConfig.defaults()
                .withListeners(List.of(HostPort.parse("127.0.0.1:0")))
                .withAdmin(new AdminConfig(true, HostPort.parse("127.0.0.1:0"), TOKEN))
                .withStore(new StoreConfig(MariaDbDatabases.url(db), MariaDbDatabases.USER,
                        MariaDbDatabases.PASSWORD, Duration.ofMillis(200), dir.resolve("b-snapshot.json").toString(),
                        Duration.ofSeconds(1), null, null))
                .withSpool(new SpoolConfig(dir.resolve("b-spool").toString()))
                .withAccessLog(new AccessLogConfig(false, null, null, null, null, null, null))
                .withServer(new ServerConfig(1, "auto", "gw-b", Duration.ofSeconds(1)))
                .withMigrations(new MigrationConfig(Duration.ofMillis(100), MIGRATIONS, Duration.ofSeconds(20))));
    }

    InetSocketAddress listenerA() {
        return a.address();
    }

    InetSocketAddress listenerB() {
        return b.listeners().get(0);
    }

    /** A call to gw-a's admin API that must answer {@code expected}. */
    JsonNode callA(String method, String path, String body, int expected) throws Exception {
        return call(adminA, method, path, body, expected);
    }

    JsonNode callB(String method, String path, String body, int expected) throws Exception {
        return call(b.adminAddress().getPort(), method, path, body, expected);
    }

    /** {@code kill -9} of gw-a, returning once it is dead. */
    void killA() throws Exception {
        a.signal("KILL");
        await("gw-a dead", () -> !a.isAlive());
    }

    /** gw-a back on the same directory (its spool) and configuration. */
    void restartA() throws Exception {
        a = GatewayProcess.start(dir.resolve("a"), yamlA, JVM);
    }

    /** A write (a Piwigo comment post) through a gateway; it must be queued: its reference. */
    static String queue(InetSocketAddress gateway) throws Exception {
        try (RawHttp client = new RawHttp(gateway)) {
            RawHttp.Response r = client.send("POST /comments.php HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\ncontent=x").read();
            assertEquals(202, r.status(), r.bodyText());
            return r.header("x-passerelle-reference");
        }
    }

    /** A page of the group's host through a gateway. */
    static String read(InetSocketAddress gateway) throws Exception {
        try (RawHttp client = new RawHttp(gateway)) {
            return client.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n").read().bodyText();
        }
    }

    /** How many times a server received the write of this reference (its idempotency key). */
    static long received(StubBackend server, String reference) {
        return server.all().stream().filter(s -> reference.equals(s.header("idempotency-key"))).count();
    }

    // ---- the store, read directly --------------------------------------------------------------------------

    String state(String id) {
        return text("SELECT state FROM migration WHERE id = ?", id);
    }

    String lockOwner(String id) {
        return text("SELECT lock_owner FROM migration WHERE id = ?", id);
    }

    /** Each recorded step of the migration as {@code step:status}, in order. */
    List<String> steps(String id) {
        return column("SELECT CONCAT(step, ':', status) FROM migration_step WHERE migration_id = ? ORDER BY seq", id);
    }

    String groupMode() {
        return text("SELECT mode FROM account_group WHERE name = ?", GROUP);
    }

    String groupWrites() {
        return text("SELECT writes FROM account_group WHERE name = ?", GROUP);
    }

    /** The group's backends (spares aside), in order. */
    List<String> groupBackends() {
        return column("SELECT address FROM group_backend WHERE group_name = ? AND role = 'backend' ORDER BY pos", GROUP);
    }

    /** What a gateway's last heartbeat published ({@code spool-waiting=…}). */
    String info(String gateway) {
        return String.valueOf(text("SELECT info FROM gateway_status WHERE gateway_id = ?", gateway));
    }

    long tableVersion() {
        return number("SELECT v FROM table_version WHERE id = 1");
    }

    long appliedVersion(String gateway) {
        return number("SELECT applied_version FROM gateway_status WHERE gateway_id = ?", gateway);
    }

    long auditCount(String action) {
        return number("SELECT COUNT(*) FROM audit_log WHERE action = ?", action);
    }

    /** Who ended the step last: the actor of the last audit entry of {@code migration.<step>} not {@code running}. */
    String endedBy(String step) throws Exception {
        String actor = null;
        for (List<String> row : rows("SELECT actor, after_json FROM audit_log WHERE action = ? ORDER BY id",
                "migration." + step)) {
            if (!"running".equals(JSON.readTree(row.get(1)).path("status").asText())) {
                actor = row.get(0);
            }
        }
        return actor;
    }

    /** A row lock the test holds in a transaction of its own. */
    interface RowLock {
        /** Commits, which lets the row go. */
        void release() throws SQLException;
    }

    /**
     * Locks the migration's row ({@code SELECT … FOR UPDATE}) until the returned lock is released: any driver's
     * change of the migration (and its lock's renewal) waits on it meanwhile.
     */
    RowLock holdRow(String id) throws SQLException {
        Connection conn = connect();
        conn.setAutoCommit(false);
        try (PreparedStatement ps = conn.prepareStatement("SELECT id FROM migration WHERE id = ? FOR UPDATE")) {
            ps.setString(1, id);
            ps.executeQuery().close();
        } catch (SQLException e) {
            conn.close();
            throw e;
        }
        return () -> {
            try (conn) {
                conn.commit();
            }
        };
    }

    private String text(String sql, Object... args) {
        List<String> values = column(sql, args);
        return values.isEmpty() ? null : values.get(0);
    }

    private long number(String sql, Object... args) {
        String v = text(sql, args);
        return v == null ? -1 : Long.parseLong(v);
    }

    private List<String> column(String sql, Object... args) {
        return rows(sql, args).stream().map(r -> r.get(0)).toList();
    }

    private List<List<String>> rows(String sql, Object... args) {
        try (PreparedStatement ps = reader().prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<List<String>> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= n; i++) {
                        row.add(rs.getString(i));
                    }
                    out.add(row);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** One connection for the test's reads (autocommit: each sees the last commits), polled every 20 ms. */
    private Connection reader() throws SQLException {
        if (reader == null || reader.isClosed()) {
            reader = connect();
        }
        return reader;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(MariaDbDatabases.url(db), MariaDbDatabases.USER, MariaDbDatabases.PASSWORD);
    }

    // ---- waiting, without sleeping as synchronisation ------------------------------------------------------

    /** Polls {@code condition} until it holds; past 30 s fails with what the store and gw-a say. */
    void await(String what, BooleanSupplier condition) {
        net.passerelle.gateway.testing.Await.until(what, java.time.Duration.ofSeconds(30), condition,
                () -> "\nmigrations: " + rows("SELECT id, state, lock_owner FROM migration") + "\ngateways: "
                        + rows("SELECT gateway_id, applied_version, info FROM gateway_status") + ", table version "
                        + tableVersion() + "\ngw-a:\n" + tail(a.output()));
    }

    private static String tail(String s) {
        return s.length() <= 6000 ? s : "…" + s.substring(s.length() - 6000);
    }

    private int adminPort() {
        int[] port = new int[1];
        await("gw-a's admin API", () -> {
            Matcher m = ADMIN.matcher(a.output());
            if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
                return true;
            }
            return false;
        });
        return port[0];
    }

    private static JsonNode call(int port, String method, String path, String body, int expected) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            r.header("Content-Type", "application/json");
        }
        HttpResponse<String> answer = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, answer.statusCode(), method + " " + path + ": " + answer.body());
        return JSON.readTree(answer.body());
    }

    /** Stops what runs (a frozen gw-c is thawed first, by {@link GatewayProcess#stop()}) and drops the database. */
    @Override
    public void close() throws Exception {
        if (a != null) {
            a.close();
        }
        if (c != null) {
            try {
                c.join().close();
            } catch (CompletionException e) {
                // it never started; the test says why
            }
        }
        if (b != null) {
            b.close();
        }
        oldServer.close();
        newServer.close();
        if (reader != null) {
            reader.close();
        }
        MariaDbDatabases.drop(db);
    }
}
