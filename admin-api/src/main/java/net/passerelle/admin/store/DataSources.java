package net.passerelle.admin.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.util.Locale;

/**
 * Opening the database: the HikariCP pool for MariaDB or an embedded H2 file, and the Flyway migration of the
 * schema ({@code classpath:db/migration}, run by {@link SchemaMigration}) before anything else uses it. A new table
 * comes as a new migration there ({@code V3__…sql}); nothing here changes.
 */
final class DataSources {

    private DataSources() {
    }

    /**
     * A pool on {@code url}, connected and migrated.
     *
     * @throws IllegalArgumentException for an URL of another database
     * @throws StoreException           when the database cannot be reached or migrated in time
     */
    static HikariDataSource open(String url, String user, String password, JdbcStore.Options options) {
        String description = redact(url);
        HikariConfig config = poolConfig(url, description, options);
        config.setUsername(user == null ? "" : user);
        config.setPassword(password == null ? "" : password);
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("store " + description + " is unreachable: " + rootMessage(e), e);
        }
        try {
            SchemaMigration.run(ds);
        } catch (RuntimeException e) {
            ds.close();
            throw new StoreException("store " + description + ": schema migration failed: " + rootMessage(e), e);
        }
        if (url.startsWith("jdbc:h2:")) {
            H2Files.restrict(url);
        }
        return ds;
    }

    /** READ COMMITTED, auto-commit off: {@link Transactions} commits each unit of work itself. */
    private static HikariConfig poolConfig(String url, String description, JdbcStore.Options options) {
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
        return config;
    }

    /**
     * A query for the database's clock in epoch milliseconds, independent of any time zone setting: the clock that
     * stamps and judges leases, so that the fleet's own clocks never need to agree.
     */
    static String nowMillisSql(String url) {
        if (url.startsWith("jdbc:h2:")) {
            return "SELECT DATEDIFF(MILLISECOND, TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00', CURRENT_TIMESTAMP)";
        }
        // UTC_TIMESTAMP and a literal without zone: no conversion through the session's time zone (nor its DST).
        return "SELECT TIMESTAMPDIFF(MICROSECOND, TIMESTAMP '1970-01-01 00:00:00', UTC_TIMESTAMP(6)) DIV 1000";
    }

    /** The URL handed to H2: MariaDB mode and the settings the schema needs, unless the URL sets them. */
    static String h2Url(String url) {
        StringBuilder sb = new StringBuilder(url);
        String upper = url.toUpperCase(Locale.ROOT);
        appendIfAbsent(sb, upper, "MODE", "MariaDB");
        appendIfAbsent(sb, upper, "DATABASE_TO_LOWER", "TRUE");
        appendIfAbsent(sb, upper, "DEFAULT_NULL_ORDERING", "HIGH");
        appendIfAbsent(sb, upper, "LOCK_TIMEOUT", "10000");
        // H2's own shutdown hook would close the database before the gateway's, which still has to release its
        // lease and its migration locks in it; the gateway closes the pool itself when it stops.
        appendIfAbsent(sb, upper, "DB_CLOSE_ON_EXIT", "FALSE");
        return sb.toString();
    }

    private static void appendIfAbsent(StringBuilder sb, String upperUrl, String key, String value) {
        if (!upperUrl.contains(";" + key + "=")) {
            sb.append(';').append(key).append('=').append(value);
        }
    }

    /** The URL as it may be logged: a password in it is masked. */
    static String redact(String url) {
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
