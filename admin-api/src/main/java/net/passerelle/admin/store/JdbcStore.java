package net.passerelle.admin.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import net.passerelle.admin.model.AuditEntry;
import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.GatewayStatus;
import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.HostMapping;
import net.passerelle.admin.model.HostNames;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.Names;
import net.passerelle.admin.model.RoutingState;
import net.passerelle.admin.model.Window;
import net.passerelle.admin.model.WritePolicy;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@link Store} over JDBC and HikariCP, for MariaDB ({@code jdbc:mariadb://host:3306/db}, the fleet) and an
 * embedded H2 file ({@code jdbc:h2:file:./data/passerelle}, the single-machine default, run in MariaDB mode).
 * The schema is migrated by Flyway ({@code db/migration}) when the store is opened.
 *
 * <h2>Transactions</h2>
 * Connections are READ COMMITTED with auto-commit off. Every mutation starts by locking the single
 * {@code table_version} row ({@code SELECT ... FOR UPDATE}), which serialises mutations across threads, processes
 * and (through write-set certification) Galera nodes; it then reads the state it checks against, writes, appends
 * its audit entries and increments the version, and commits. Deadlocks, serialisation failures and Galera
 * certification failures (SQLSTATE 40001) and H2 lock timeouts are retried a few times with jittered back-off.
 * {@link #load()} reads the version before and after the table and retries until both agree, which is a
 * consistent snapshot under READ COMMITTED because every commit that changes the table changes the version.
 *
 * <h2>Precision</h2>
 * Instants are stored as epoch milliseconds: windows and audit times come back truncated to the millisecond.
 */
public final class JdbcStore implements Store {

    private static final Logger log = LoggerFactory.getLogger(JdbcStore.class);

    private static final int MAX_ATTEMPTS = 8;
    private static final int MAX_AUDIT_LIMIT = 10_000;
    private static final String ROLE_BACKEND = "backend";
    private static final String ROLE_SPARE = "spare";

    /**
     * Connection settings.
     *
     * @param connectionTimeout         longest wait for a connection (pool exhausted, or database unreachable);
     *                                  also the driver's TCP connect timeout on MariaDB; at least 250 ms
     * @param initializationFailTimeout how long opening the store keeps trying to get its first connection before
     *                                  it fails with {@link StoreException}
     * @param socketTimeout             longest wait for a statement's answer on MariaDB (a vanished server or a
     *                                  partitioned Galera node); zero for none
     * @param maximumPoolSize           connections in the pool
     * @param clock                     the clock of audit entries and heartbeats
     * @param metricsTrackerFactory     where HikariCP reports pool metrics (e.g. Micrometer's
     *                                  {@code MicrometerMetricsTrackerFactory}), or null for none
     */
    public record Options(Duration connectionTimeout, Duration initializationFailTimeout, Duration socketTimeout,
                          int maximumPoolSize, Clock clock, MetricsTrackerFactory metricsTrackerFactory) {

        public Options(Duration connectionTimeout, Duration initializationFailTimeout, Duration socketTimeout,
                       int maximumPoolSize, Clock clock) {
            this(connectionTimeout, initializationFailTimeout, socketTimeout, maximumPoolSize, clock, null);
        }

        public Options {
            Objects.requireNonNull(connectionTimeout, "connectionTimeout");
            Objects.requireNonNull(initializationFailTimeout, "initializationFailTimeout");
            Objects.requireNonNull(socketTimeout, "socketTimeout");
            Objects.requireNonNull(clock, "clock");
            if (connectionTimeout.toMillis() < 250) {
                throw new IllegalArgumentException("store connectionTimeout must be at least 250ms, not " + connectionTimeout);
            }
            if (initializationFailTimeout.isNegative() || initializationFailTimeout.isZero()) {
                throw new IllegalArgumentException("store initializationFailTimeout must be positive, not " + initializationFailTimeout);
            }
            if (socketTimeout.isNegative()) {
                throw new IllegalArgumentException("store socketTimeout must not be negative");
            }
            if (maximumPoolSize < 1 || maximumPoolSize > 100) {
                throw new IllegalArgumentException("store maximumPoolSize must be 1..100, not " + maximumPoolSize);
            }
        }

        /** 5 s to get a connection, 10 s to open the store, 30 s per statement, 4 connections, the UTC clock. */
        public static Options defaults() {
            return new Options(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), 4, Clock.systemUTC());
        }

        public Options withConnectionTimeout(Duration d) {
            return new Options(d, initializationFailTimeout, socketTimeout, maximumPoolSize, clock, metricsTrackerFactory);
        }

        public Options withInitializationFailTimeout(Duration d) {
            return new Options(connectionTimeout, d, socketTimeout, maximumPoolSize, clock, metricsTrackerFactory);
        }

        public Options withSocketTimeout(Duration d) {
            return new Options(connectionTimeout, initializationFailTimeout, d, maximumPoolSize, clock, metricsTrackerFactory);
        }

        public Options withMaximumPoolSize(int n) {
            return new Options(connectionTimeout, initializationFailTimeout, socketTimeout, n, clock, metricsTrackerFactory);
        }

        public Options withMetricsTrackerFactory(MetricsTrackerFactory f) {
            return new Options(connectionTimeout, initializationFailTimeout, socketTimeout, maximumPoolSize, clock, f);
        }

        public Options withClock(Clock c) {
            return new Options(connectionTimeout, initializationFailTimeout, socketTimeout, maximumPoolSize, c, metricsTrackerFactory);
        }
    }

    private final HikariDataSource dataSource;
    private final Clock clock;
    private final String description;
    private final ObjectMapper json = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    /** Opens the store with {@link Options#defaults()}. */
    public JdbcStore(String url, String user, String password) {
        this(url, user, password, Options.defaults());
    }

    /**
     * Opens the store: creates the pool, waits for a first connection at most
     * {@code options.initializationFailTimeout()}, and migrates the schema.
     *
     * @param url {@code jdbc:mariadb://…} or {@code jdbc:h2:…}; H2 URLs get {@code MODE=MariaDB},
     *            {@code DATABASE_TO_LOWER=TRUE}, {@code DEFAULT_NULL_ORDERING=HIGH} and a 10 s {@code LOCK_TIMEOUT}
     *            unless they set them
     * @throws IllegalArgumentException for an URL of another database
     * @throws StoreException           when the database cannot be reached or migrated in time
     */
    public JdbcStore(String url, String user, String password, Options options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        this.clock = options.clock();
        this.description = redact(url);
        HikariConfig config = new HikariConfig();
        if (url.startsWith("jdbc:h2:")) {
            config.setJdbcUrl(h2Url(url));
        } else if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
            config.setJdbcUrl(url);
            config.addDataSourceProperty("connectTimeout", String.valueOf(options.connectionTimeout().toMillis()));
            config.addDataSourceProperty("socketTimeout", String.valueOf(options.socketTimeout().toMillis()));
        } else {
            throw new IllegalArgumentException("unsupported store url '" + description
                    + "': expected jdbc:mariadb://host:port/database or jdbc:h2:file:path");
        }
        config.setUsername(user == null ? "" : user);
        config.setPassword(password == null ? "" : password);
        config.setPoolName("passerelle-store");
        config.setAutoCommit(false);
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        config.setMaximumPoolSize(options.maximumPoolSize());
        config.setMinimumIdle(Math.min(1, options.maximumPoolSize()));
        config.setConnectionTimeout(options.connectionTimeout().toMillis());
        config.setValidationTimeout(Math.max(250, Math.min(5000, options.connectionTimeout().toMillis() / 2)));
        config.setInitializationFailTimeout(options.initializationFailTimeout().toMillis());
        if (options.metricsTrackerFactory() != null) {
            config.setMetricsTrackerFactory(options.metricsTrackerFactory());
        }
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("store " + description + " is unreachable: " + rootMessage(e), e);
        }
        try {
            Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration")
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw new StoreException("store " + description + ": schema migration failed: " + rootMessage(e), e);
        }
        this.dataSource = ds;
        log.info("store {} open, table version {}", description, version());
    }

    /** The URL handed to H2: MariaDB mode and the settings the schema needs, unless the URL sets them. */
    static String h2Url(String url) {
        StringBuilder sb = new StringBuilder(url);
        String upper = url.toUpperCase(Locale.ROOT);
        appendIfAbsent(sb, upper, "MODE", "MariaDB");
        appendIfAbsent(sb, upper, "DATABASE_TO_LOWER", "TRUE");
        appendIfAbsent(sb, upper, "DEFAULT_NULL_ORDERING", "HIGH");
        appendIfAbsent(sb, upper, "LOCK_TIMEOUT", "10000");
        return sb.toString();
    }

    private static void appendIfAbsent(StringBuilder sb, String upperUrl, String key, String value) {
        if (!upperUrl.contains(";" + key + "=")) {
            sb.append(';').append(key).append('=').append(value);
        }
    }

    // ---- reads -------------------------------------------------------------------------------------------

    @Override
    public RoutingState load() {
        return tx("load", c -> {
            for (int attempt = 0; ; attempt++) {
                long before = readVersion(c, false);
                List<Group> groups = readGroups(c, null);
                List<HostMapping> hosts = readHosts(c, null);
                Map<String, String> states = readBackendStates(c);
                long after = readVersion(c, false);
                if (before == after) {
                    return new RoutingState(after, groups, hosts, states);
                }
                if (attempt >= 20) {
                    throw new StoreException("store " + description + ": no consistent read after " + attempt
                            + " attempts, the table changes too fast");
                }
            }
        });
    }

    @Override
    public long version() {
        return tx("version", c -> readVersion(c, false));
    }

    @Override
    public Optional<Group> group(String name) {
        if (!Names.isValidGroupName(name)) {
            return Optional.empty();
        }
        return tx("group", c -> readGroups(c, name).stream().findFirst());
    }

    @Override
    public List<Group> groups() {
        return tx("groups", c -> readGroups(c, null));
    }

    @Override
    public Optional<HostMapping> host(String host) {
        String normal = HostNames.normalize(host);
        if (normal == null) {
            return Optional.empty();
        }
        return tx("host", c -> readHost(c, normal));
    }

    @Override
    public List<HostMapping> hosts(String group) {
        return tx("hosts", c -> readHosts(c, group));
    }

    @Override
    public List<AuditEntry> audit(int limit) {
        if (limit < 1 || limit > MAX_AUDIT_LIMIT) {
            throw new IllegalArgumentException("audit limit must be 1.." + MAX_AUDIT_LIMIT + ", not " + limit);
        }
        return tx("audit", c -> {
            List<AuditEntry> entries = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, version, at_ms, actor, action, target, before_json, after_json FROM audit_log"
                            + " ORDER BY version DESC, id DESC LIMIT ?")) {
                ps.setInt(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        entries.add(new AuditEntry(rs.getLong("id"), Instant.ofEpochMilli(rs.getLong("at_ms")),
                                rs.getString("actor"), rs.getString("action"), rs.getString("target"),
                                rs.getString("before_json"), rs.getString("after_json"), rs.getLong("version")));
                    }
                }
            }
            return entries;
        });
    }

    // ---- groups ------------------------------------------------------------------------------------------

    @Override
    public long putGroup(String actor, Group group) {
        requireActor(actor);
        Group after = truncate(Objects.requireNonNull(group, "group"));
        return mutate("putGroup", (c, version) -> {
            Group before = readGroups(c, after.name()).stream().findFirst().orElse(null);
            if (after.equals(before)) {
                return version;
            }
            writeGroup(c, before != null, after);
            long next = bump(c, version);
            audit(c, next, actor, before == null ? "group.create" : "group.update", after.name(), toJson(before), toJson(after));
            return next;
        });
    }

    @Override
    public long setBackends(String actor, String group, List<Backend> backends, List<Backend> spares) {
        requireActor(actor);
        return updateGroup("setBackends", actor, "group.backends", group, g -> g.withBackends(backends, spares));
    }

    @Override
    public long deleteGroup(String actor, String group) {
        requireActor(actor);
        return mutate("deleteGroup", (c, version) -> {
            Group before = readGroups(c, group).stream().findFirst()
                    .orElseThrow(() -> new NotFoundException("group", group));
            List<HostMapping> users = readHosts(c, group);
            if (!users.isEmpty()) {
                throw new GroupInUseException(group, users.stream().map(HostMapping::host).toList());
            }
            update(c, "DELETE FROM group_backend WHERE group_name = ?", group);
            update(c, "DELETE FROM account_group WHERE name = ?", group);
            long next = bump(c, version);
            audit(c, next, actor, "group.delete", group, toJson(before), null);
            return next;
        });
    }

    @Override
    public long setMode(String actor, String group, Mode mode, WritePolicy writes, Integer retryAfterSeconds,
                        Map<String, String> message) {
        requireActor(actor);
        Objects.requireNonNull(mode, "mode");
        return updateGroup("setMode", actor, "group.mode", group, g -> g.withMode(mode,
                writes == null ? g.writes() : writes,
                retryAfterSeconds == null ? g.retryAfterSeconds() : retryAfterSeconds,
                message == null ? g.message() : message));
    }

    @Override
    public long setWindow(String actor, String group, Window window) {
        requireActor(actor);
        Objects.requireNonNull(window, "window");
        return updateGroup("setWindow", actor, "group.window.set", group, g -> g.withWindow(window));
    }

    @Override
    public long clearWindow(String actor, String group) {
        requireActor(actor);
        return updateGroup("clearWindow", actor, "group.window.clear", group, g -> g.withWindow(null));
    }

    private interface GroupChange {
        Group apply(Group current);
    }

    /** Read-modify-write of an existing group under the version lock. */
    private long updateGroup(String what, String actor, String action, String name, GroupChange change) {
        return mutate(what, (c, version) -> {
            Group before = readGroups(c, name).stream().findFirst()
                    .orElseThrow(() -> new NotFoundException("group", name));
            Group after = truncate(change.apply(before));
            if (after.equals(before)) {
                return version;
            }
            writeGroup(c, true, after);
            long next = bump(c, version);
            audit(c, next, actor, action, name, toJson(before), toJson(after));
            return next;
        });
    }

    // ---- hosts -------------------------------------------------------------------------------------------

    @Override
    public long putHost(String actor, HostMapping mapping) {
        requireActor(actor);
        Objects.requireNonNull(mapping, "mapping");
        return mutate("putHost", (c, version) -> {
            if (!groupExists(c, mapping.group())) {
                throw new NotFoundException("group", mapping.group());
            }
            HostMapping before = readHost(c, mapping.host()).orElse(null);
            if (mapping.equals(before)) {
                return version;
            }
            if (before == null) {
                update(c, "INSERT INTO host_mapping (host, group_name, account) VALUES (?, ?, ?)",
                        mapping.host(), mapping.group(), mapping.account());
            } else {
                update(c, "UPDATE host_mapping SET group_name = ?, account = ? WHERE host = ?",
                        mapping.group(), mapping.account(), mapping.host());
            }
            long next = bump(c, version);
            audit(c, next, actor, before == null ? "host.create" : "host.update", mapping.host(), toJson(before), toJson(mapping));
            return next;
        });
    }

    @Override
    public long deleteHost(String actor, String host) {
        requireActor(actor);
        String normal = HostNames.normalize(host);
        if (normal == null) {
            throw new NotFoundException("host", host);
        }
        return mutate("deleteHost", (c, version) -> {
            HostMapping before = readHost(c, normal).orElseThrow(() -> new NotFoundException("host", normal));
            update(c, "DELETE FROM host_mapping WHERE host = ?", normal);
            long next = bump(c, version);
            audit(c, next, actor, "host.delete", normal, toJson(before), null);
            return next;
        });
    }

    @Override
    public long setBackendState(String actor, String address, String state) {
        requireActor(actor);
        if (!List.of("ready", "drain", "maint").contains(state)) {
            throw new IllegalArgumentException("state must be ready, drain or maint, not '" + state + "'");
        }
        String key = net.passerelle.admin.model.Backend.parse(address).toString();
        return mutate("setBackendState", (c, version) -> {
            boolean used = false;
            for (Group g : readGroups(c, null)) {
                used |= g.backends().stream().anyMatch(b -> b.toString().equals(key))
                        || g.spares().stream().anyMatch(b -> b.toString().equals(key));
            }
            if (!used) {
                throw new NotFoundException("backend", key);
            }
            String before = readBackendStates(c).getOrDefault(key, "ready");
            if (before.equals(state)) {
                return version;
            }
            update(c, "DELETE FROM backend_state WHERE address = ?", key);
            if (!state.equals("ready")) {
                update(c, "INSERT INTO backend_state (address, state, updated_ms) VALUES (?, ?, ?)", key, state, clock.millis());
            }
            long next = bump(c, version);
            audit(c, next, actor, "backend.state", key, "{\"state\":\"" + before + "\"}", "{\"state\":\"" + state + "\"}");
            return next;
        });
    }

    private static Map<String, String> readBackendStates(Connection c) throws SQLException {
        Map<String, String> states = new java.util.TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT address, state FROM backend_state");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                states.put(rs.getString(1), rs.getString(2));
            }
        }
        return states;
    }

    // ---- seed --------------------------------------------------------------------------------------------

    @Override
    public long seed(List<Group> groups, List<HostMapping> hosts) {
        List<Group> seedGroups = groups == null ? List.of() : List.copyOf(groups);
        List<HostMapping> seedHosts = hosts == null ? List.of() : List.copyOf(hosts);
        return mutate("seed", (c, version) -> {
            long now = clock.millis();
            long next = version + 1;
            boolean changed = false;
            Set<String> seededGroups = readSeedHistory(c, "group");
            Set<String> seededHosts = readSeedHistory(c, "host");
            for (Group g : seedGroups) {
                Group group = truncate(g);
                if (!seededGroups.add(group.name())) {
                    continue;
                }
                update(c, "INSERT INTO seed_history (kind, name, seeded_ms) VALUES ('group', ?, ?)", group.name(), now);
                if (groupExists(c, group.name())) {
                    continue;
                }
                writeGroup(c, false, group);
                audit(c, next, SEED_ACTOR, "group.create", group.name(), null, toJson(group));
                changed = true;
            }
            for (HostMapping h : seedHosts) {
                if (!seededHosts.add(h.host())) {
                    continue;
                }
                update(c, "INSERT INTO seed_history (kind, name, seeded_ms) VALUES ('host', ?, ?)", h.host(), now);
                if (readHost(c, h.host()).isPresent()) {
                    continue;
                }
                if (!groupExists(c, h.group())) {
                    throw new NotFoundException("group", h.group());
                }
                update(c, "INSERT INTO host_mapping (host, group_name, account) VALUES (?, ?, ?)", h.host(), h.group(), h.account());
                audit(c, next, SEED_ACTOR, "host.create", h.host(), null, toJson(h));
                changed = true;
            }
            return changed ? bump(c, version) : version;
        });
    }

    // ---- fleet -------------------------------------------------------------------------------------------

    @Override
    public void heartbeat(String gatewayId, long appliedVersion, String info) {
        if (gatewayId == null || gatewayId.isBlank() || gatewayId.length() > 128) {
            throw new IllegalArgumentException("gateway id must be 1 to 128 characters, not '" + gatewayId + "'");
        }
        String text = info == null || info.length() <= 1000 ? info : info.substring(0, 1000);
        long now = clock.millis();
        tx("heartbeat", c -> {
            String sql = "UPDATE gateway_status SET applied_version = ?, heartbeat_ms = ?, info = ? WHERE gateway_id = ?";
            if (update(c, sql, appliedVersion, now, text, gatewayId) == 0) {
                try {
                    update(c, "INSERT INTO gateway_status (gateway_id, applied_version, heartbeat_ms, info) VALUES (?, ?, ?, ?)",
                            gatewayId, appliedVersion, now, text);
                } catch (SQLIntegrityConstraintViolationException e) {
                    update(c, sql, appliedVersion, now, text, gatewayId); // raced with its own previous heartbeat
                } catch (SQLException e) {
                    if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
                        throw e;
                    }
                    update(c, sql, appliedVersion, now, text, gatewayId);
                }
            }
            return null;
        });
    }

    @Override
    public List<GatewayStatus> gateways() {
        return tx("gateways", c -> {
            List<GatewayStatus> list = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT gateway_id, applied_version, heartbeat_ms, info FROM gateway_status");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    list.add(new GatewayStatus(rs.getString(1), rs.getLong(2), Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4)));
                }
            }
            list.sort(Comparator.comparing(GatewayStatus::gatewayId));
            return list;
        });
    }

    @Override
    public boolean forgetGateway(String gatewayId) {
        return tx("forgetGateway", c -> update(c, "DELETE FROM gateway_status WHERE gateway_id = ?", gatewayId) > 0);
    }

    @Override
    public void close() {
        dataSource.close();
    }

    @Override
    public String toString() {
        return "JdbcStore[" + description + "]";
    }

    /** The pool, for stores of other concerns on the same database (e.g. {@link JdbcCertificateStore}). */
    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    // ---- transactions ------------------------------------------------------------------------------------

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    @Override
    public void recordEvent(String actor, String action, String target, String before, String after) {
        if (actor == null || actor.isBlank()) {
            throw new IllegalArgumentException("an audit entry needs an actor");
        }
        tx("record " + action, c -> {
            audit(c, readVersion(c, false), actor, action, target, before, after);
            return null;
        });
    }

    private interface Mutation {
        /** Runs with the version row locked; {@code version} is its value. Returns the version after. */
        long run(Connection c, long version) throws SQLException;
    }

    private long mutate(String what, Mutation mutation) {
        return tx(what, c -> mutation.run(c, readVersion(c, true)));
    }

    /**
     * Runs {@code work} in a transaction and commits; rolls back on any failure. SQL failures become
     * {@link StoreException}, after retries for the transient ones; domain exceptions pass through.
     */
    private <T> T tx(String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (Throwable t) {
                    rollbackQuietly(c);
                    throw t;
                }
            } catch (SQLException e) {
                if (attempt < MAX_ATTEMPTS && isRetryable(e)) {
                    log.debug("store {}: {} attempt {} failed, retrying: {}", description, what, attempt, e.toString());
                    pause(attempt);
                    continue;
                }
                throw new StoreException("store " + description + ": " + what + " failed: " + e.getMessage(), e);
            }
        }
    }

    private static boolean isRetryable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransactionRollbackException) {
                return true;
            }
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                if ("40001".equals(state) || s.getErrorCode() == 1213 // deadlock, Galera certification failure
                        || s.getErrorCode() == 50200 || s.getErrorCode() == 40001) { // H2 lock timeout, H2 deadlock
                    return true;
                }
            }
        }
        return false;
    }

    private static void pause(int attempt) {
        long max = Math.min(200, 5L << attempt);
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, max + 1));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while retrying a store transaction");
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException | RuntimeException e) {
            log.debug("rollback failed", e);
        }
    }

    // ---- SQL ---------------------------------------------------------------------------------------------

    private static long readVersion(Connection c, boolean lock) throws SQLException {
        String sql = "SELECT v FROM table_version WHERE id = 1" + (lock ? " FOR UPDATE" : "");
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new StoreException("store schema is damaged: table_version has no row");
            }
            return rs.getLong(1);
        }
    }

    /** Increments the locked version row; returns the new version. */
    private static long bump(Connection c, long lockedVersion) throws SQLException {
        if (update(c, "UPDATE table_version SET v = v + 1 WHERE id = 1") != 1) {
            throw new StoreException("store schema is damaged: table_version has no row");
        }
        return lockedVersion + 1;
    }

    private void audit(Connection c, long version, String actor, String action, String target, String before, String after)
            throws SQLException {
        update(c, "INSERT INTO audit_log (version, at_ms, actor, action, target, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                version, clock.millis(), actor, action, target, before, after);
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a == null) {
                ps.setNull(i + 1, Types.VARCHAR);
            } else if (a instanceof Long l) {
                ps.setLong(i + 1, l);
            } else if (a instanceof Integer n) {
                ps.setInt(i + 1, n);
            } else {
                ps.setString(i + 1, a.toString());
            }
        }
    }

    private static boolean groupExists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM account_group WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private List<Group> readGroups(Connection c, String only) throws SQLException {
        String where = only == null ? "" : " WHERE name = ?";
        Map<String, Group> groups = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name, mode, writes, retry_after_seconds, message, profile,"
                + " window_start, window_end, window_mode, window_writes FROM account_group" + where)) {
            if (only != null) {
                ps.setString(1, only);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString("name");
                    Window window = null;
                    long start = rs.getLong("window_start");
                    if (!rs.wasNull()) {
                        window = new Window(Instant.ofEpochMilli(start), Instant.ofEpochMilli(rs.getLong("window_end")),
                                Mode.parse(rs.getString("window_mode")), WritePolicy.parse(rs.getString("window_writes")));
                    }
                    groups.put(name, new Group(name, List.of(), List.of(), Mode.parse(rs.getString("mode")),
                            WritePolicy.parse(rs.getString("writes")), rs.getInt("retry_after_seconds"),
                            messageFromJson(rs.getString("message")), rs.getString("profile"), window));
                }
            }
        }
        if (groups.isEmpty()) {
            return List.of();
        }
        Map<String, List<Backend>> backends = new LinkedHashMap<>();
        Map<String, List<Backend>> spares = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT group_name, role, address FROM group_backend"
                + (only == null ? "" : " WHERE group_name = ?") + " ORDER BY group_name, role, pos")) {
            if (only != null) {
                ps.setString(1, only);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, List<Backend>> target = ROLE_SPARE.equals(rs.getString(2)) ? spares : backends;
                    target.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(Backend.parse(rs.getString(3)));
                }
            }
        }
        List<Group> result = new ArrayList<>(groups.size());
        for (Group g : groups.values()) {
            result.add(g.withBackends(backends.getOrDefault(g.name(), List.of()), spares.getOrDefault(g.name(), List.of())));
        }
        result.sort(Comparator.comparing(Group::name));
        return result;
    }

    private void writeGroup(Connection c, boolean exists, Group g) throws SQLException {
        Window w = g.window();
        Object[] values = {
                g.mode().wireName(), g.writes().wireName(), g.retryAfterSeconds(),
                g.message().isEmpty() ? null : toJson(g.message()), g.profile(),
                w == null ? null : w.start().toEpochMilli(), w == null ? null : w.end().toEpochMilli(),
                w == null ? null : w.mode().wireName(), w == null ? null : w.writes().wireName(),
                g.name()};
        if (exists) {
            update(c, "UPDATE account_group SET mode = ?, writes = ?, retry_after_seconds = ?, message = ?, profile = ?,"
                    + " window_start = ?, window_end = ?, window_mode = ?, window_writes = ? WHERE name = ?", values);
            update(c, "DELETE FROM group_backend WHERE group_name = ?", g.name());
        } else {
            update(c, "INSERT INTO account_group (mode, writes, retry_after_seconds, message, profile,"
                    + " window_start, window_end, window_mode, window_writes, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values);
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO group_backend (group_name, role, pos, address) VALUES (?, ?, ?, ?)")) {
            int rows = addBackends(ps, g.name(), ROLE_BACKEND, g.backends()) + addBackends(ps, g.name(), ROLE_SPARE, g.spares());
            if (rows > 0) {
                ps.executeBatch();
            }
        }
    }

    private static int addBackends(PreparedStatement ps, String group, String role, List<Backend> list) throws SQLException {
        for (int i = 0; i < list.size(); i++) {
            ps.setString(1, group);
            ps.setString(2, role);
            ps.setInt(3, i);
            ps.setString(4, list.get(i).toString());
            ps.addBatch();
        }
        return list.size();
    }

    private static Optional<HostMapping> readHost(Connection c, String host) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT host, group_name, account FROM host_mapping WHERE host = ?")) {
            ps.setString(1, host);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new HostMapping(rs.getString(1), rs.getString(2), rs.getString(3))) : Optional.empty();
            }
        }
    }

    private static List<HostMapping> readHosts(Connection c, String group) throws SQLException {
        List<HostMapping> list = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT host, group_name, account FROM host_mapping"
                + (group == null ? "" : " WHERE group_name = ?"))) {
            if (group != null) {
                ps.setString(1, group);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    list.add(new HostMapping(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        list.sort(Comparator.comparing(HostMapping::host));
        return list;
    }

    private static Set<String> readSeedHistory(Connection c, String kind) throws SQLException {
        Set<String> names = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM seed_history WHERE kind = ?")) {
            ps.setString(1, kind);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    // ---- values ------------------------------------------------------------------------------------------

    /** The group as the store will give it back: window instants truncated to the millisecond. */
    private static Group truncate(Group g) {
        Window w = g.window();
        if (w == null) {
            return g;
        }
        Window t = new Window(w.start().truncatedTo(ChronoUnit.MILLIS), w.end().truncatedTo(ChronoUnit.MILLIS), w.mode(), w.writes());
        return t.equals(w) ? g : g.withWindow(t);
    }

    private String toJson(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private Map<String, String> messageFromJson(String text) {
        if (text == null || text.isEmpty()) {
            return Map.of();
        }
        try {
            return json.readValue(text, new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new StoreException("store " + description + ": unreadable group message " + text, e);
        }
    }

    private static void requireActor(String actor) {
        if (actor == null || actor.isBlank()) {
            throw new IllegalArgumentException("actor is required");
        }
        if (actor.length() > 255) {
            throw new IllegalArgumentException("actor must be at most 255 characters");
        }
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return root == t ? String.valueOf(m) : t.getMessage() + " (" + root.getClass().getSimpleName() + ": " + m + ")";
    }
}
