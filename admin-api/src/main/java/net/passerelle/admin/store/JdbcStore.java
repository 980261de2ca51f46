package net.passerelle.admin.store;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import net.passerelle.admin.model.AuditEntry;
import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.BackendState;
import net.passerelle.admin.model.FleetView;
import net.passerelle.admin.model.GatewayStatus;
import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.HostMapping;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.RoutingState;
import net.passerelle.admin.model.Window;
import net.passerelle.admin.model.WritePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link Store} over JDBC and HikariCP, for MariaDB ({@code jdbc:mariadb://host:3306/db}, the fleet) and an
 * embedded H2 file ({@code jdbc:h2:file:./data/passerelle}, the single-machine default, run in MariaDB mode).
 *
 * <h2>Where things are</h2>
 * <ul>
 *   <li>{@link DataSources}: the pool and the Flyway migration ({@code db/migration}) run when the store opens;</li>
 *   <li>{@link Transactions}: one transaction per call, retried on deadlocks and Galera certification failures;
 *       changes of the table lock and increment the version row;</li>
 *   <li>{@link AuditLog}: the audit entries every change appends in its own transaction;</li>
 *   <li>one class per table for its rows and operations: {@link GroupRepository} (groups and their backends),
 *       {@link HostRepository}, {@link BackendStateRepository}, {@link GatewayRepository} (heartbeats and leases),
 *       {@link SeedRepository} (the seed and its history).</li>
 * </ul>
 * This class only opens them and answers the {@link Store} contract with them.
 *
 * <h2>Transactions</h2>
 * Connections are READ COMMITTED with auto-commit off. Every mutation starts by locking the single
 * {@code table_version} row ({@code SELECT ... FOR UPDATE}); it then reads the state it checks against, writes,
 * appends its audit entries and increments the version, and commits. {@link #load()} reads the version before and
 * after the table and retries until both agree, which is a consistent snapshot under READ COMMITTED because every
 * commit that changes the table changes the version.
 *
 * <h2>Precision</h2>
 * Instants are stored as epoch milliseconds: windows and audit times come back truncated to the millisecond.
 */
public final class JdbcStore implements Store {

    private static final Logger log = LoggerFactory.getLogger(JdbcStore.class);

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
    /** The embedded store's writes to its file, made before a change is acknowledged; null for MariaDB. */
    private final H2Flusher flusher;
    private final Transactions tx;
    private final AuditLog audit;
    private final GroupRepository groups;
    private final HostRepository hosts;
    private final BackendStateRepository backendStates;
    private final GatewayRepository gateways;
    private final SeedRepository seed;
    private final JdbcMigrationStore migrations;

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
        Clock clock = options.clock();
        this.dataSource = DataSources.open(url, user, password, options);
        this.flusher = url.startsWith("jdbc:h2:") ? new H2Flusher(dataSource) : null;
        this.tx = new Transactions(dataSource, DataSources.redact(url), flusher == null ? () -> { } : flusher::flush);
        this.audit = new AuditLog(tx, clock);
        this.groups = new GroupRepository(tx, audit, clock);
        this.hosts = new HostRepository(tx, audit);
        this.backendStates = new BackendStateRepository(tx, audit, clock);
        this.gateways = new GatewayRepository(tx, clock, DataSources.nowMillisSql(url));
        this.seed = new SeedRepository(tx, audit, clock);
        this.migrations = new JdbcMigrationStore(tx, audit, clock, DataSources.nowMillisSql(url));
        log.info("store {} open, table version {}", tx.description(), version());
    }

    /** The URL handed to H2: MariaDB mode and the settings the schema needs, unless the URL sets them. */
    static String h2Url(String url) {
        return DataSources.h2Url(url);
    }

    // ---- reads -------------------------------------------------------------------------------------------

    @Override
    public RoutingState load() {
        return tx.run("load", c -> {
            for (int attempt = 0; ; attempt++) {
                long before = Transactions.readVersion(c, false);
                List<Group> all = GroupRepository.readAll(c, null);
                List<HostMapping> mappings = HostRepository.readAll(c, null);
                Map<String, BackendState> states = BackendStateRepository.readAll(c);
                long after = Transactions.readVersion(c, false);
                if (before == after) {
                    return new RoutingState(after, all, mappings, states);
                }
                if (attempt >= 20) {
                    throw new StoreException("store " + tx.description() + ": no consistent read after " + attempt
                            + " attempts, the table changes too fast");
                }
            }
        });
    }

    @Override
    public long version() {
        return tx.run("version", c -> Transactions.readVersion(c, false));
    }

    @Override
    public Optional<Group> group(String name) {
        return groups.group(name);
    }

    @Override
    public List<Group> groups() {
        return groups.groups();
    }

    @Override
    public Optional<HostMapping> host(String host) {
        return hosts.host(host);
    }

    @Override
    public List<HostMapping> hosts(String group) {
        return hosts.hosts(group);
    }

    @Override
    public List<AuditEntry> audit(int limit) {
        return audit.newest(limit);
    }

    @Override
    public void recordEvent(String actor, String action, String target, String before, String after) {
        audit.recordEvent(actor, action, target, before, after);
    }

    // ---- changes -----------------------------------------------------------------------------------------

    @Override
    public long putGroup(String actor, Group group) {
        return groups.putGroup(actor, group);
    }

    @Override
    public long setBackends(String actor, String group, List<Backend> backends, List<Backend> spares) {
        return groups.setBackends(actor, group, backends, spares);
    }

    @Override
    public long deleteGroup(String actor, String group) {
        return groups.deleteGroup(actor, group);
    }

    @Override
    public long setMode(String actor, String group, Mode mode, WritePolicy writes, Integer retryAfterSeconds,
                        Map<String, String> message) {
        return groups.setMode(actor, group, mode, writes, retryAfterSeconds, message);
    }

    @Override
    public long setWindow(String actor, String group, Window window) {
        return groups.setWindow(actor, group, window);
    }

    @Override
    public long clearWindow(String actor, String group) {
        return groups.clearWindow(actor, group);
    }

    @Override
    public long putHost(String actor, HostMapping mapping) {
        return hosts.putHost(actor, mapping);
    }

    @Override
    public long deleteHost(String actor, String host) {
        return hosts.deleteHost(actor, host);
    }

    @Override
    public long setBackendState(String actor, String address, BackendState state) {
        return backendStates.setBackendState(actor, address, state);
    }

    @Override
    public long seed(List<Group> groups, List<HostMapping> hosts) {
        return seed.seed(groups, hosts);
    }

    // ---- fleet -------------------------------------------------------------------------------------------

    @Override
    public void heartbeat(String gatewayId, long appliedVersion, String info) {
        gateways.heartbeat(gatewayId, appliedVersion, info);
    }

    @Override
    public void renewLease(String gatewayId, long appliedVersion, String info, Duration lease) {
        gateways.renewLease(gatewayId, appliedVersion, info, lease);
    }

    @Override
    public void releaseLease(String gatewayId) {
        gateways.releaseLease(gatewayId);
    }

    @Override
    public List<GatewayStatus> gateways() {
        return gateways.gateways();
    }

    @Override
    public FleetView fleet() {
        return gateways.fleet();
    }

    @Override
    public boolean forgetGateway(String gatewayId) {
        return gateways.forgetGateway(gatewayId);
    }

    @Override
    public List<String> forgetStoppedGateways(Duration quiet) {
        return gateways.forgetStopped(quiet);
    }

    @Override
    public MigrationStore migrations() {
        return migrations;
    }

    @Override
    public void close() {
        if (flusher != null) {
            flusher.close();
        }
        dataSource.close();
    }

    /** The pool, for stores of other concerns on the same database (e.g. {@link JdbcCertificateStore}). */
    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    @Override
    public String toString() {
        return "JdbcStore[" + tx.description() + "]";
    }
}
