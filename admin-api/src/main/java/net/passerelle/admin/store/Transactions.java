package net.passerelle.admin.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one way the store talks to its database: every unit of work runs in a transaction of its own, committed at
 * the end and rolled back on any failure. Transient failures are retried a few times with jittered back-off:
 * deadlocks, serialisation failures and Galera certification failures (SQLSTATE 40001, MariaDB error 1213), and
 * H2's lock timeouts and deadlocks.
 *
 * <p>Changes of the routing table go through {@link #mutate}: it locks the single {@code table_version} row
 * first ({@code SELECT ... FOR UPDATE}), which serialises mutations across threads, processes and (through
 * write-set certification) Galera nodes. A table class that adds rows of its own gets this helper and the
 * {@link AuditLog}, and needs nothing else.
 */
final class Transactions {
    private static final Logger log = LoggerFactory.getLogger(Transactions.class);

    private static final int MAX_ATTEMPTS = 8;

    /** Work inside one transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** A change of the table, run with the version row locked. */
    @FunctionalInterface
    interface Mutation {
        /** {@code version} is the locked row's value; returns the version after the change (see {@link #bump}). */
        long run(Connection c, long version) throws SQLException;
    }

    private final DataSource dataSource;
    private final String description;
    private final Runnable afterCommit;

    /** @param description the store's URL with its password redacted, for messages */
    Transactions(DataSource dataSource, String description) {
        this(dataSource, description, () -> { });
    }

    /** @param afterCommit run after each unit of work committed, before it returns ({@link H2Flusher#flush}) */
    Transactions(DataSource dataSource, String description, Runnable afterCommit) {
        this.dataSource = dataSource;
        this.description = description;
        this.afterCommit = afterCommit;
    }

    String description() {
        return description;
    }

    /**
     * Runs {@code work} in a transaction and commits. SQL failures become {@link StoreException}, after retries
     * for the transient ones; domain exceptions ({@link NotFoundException}, …) pass through.
     */
    <T> T run(String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            T result;
            try (Connection c = dataSource.getConnection()) {
                try {
                    result = work.run(c);
                    c.commit();
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
            afterCommit.run(); // with the connection back in the pool: the flush takes one of its own
            return result;
        }
    }

    /** Runs a change of the table in a transaction that holds the version row's lock. Returns the version after. */
    long mutate(String what, Mutation mutation) {
        return run(what, c -> mutation.run(c, readVersion(c, true)));
    }

    /** The table version; with {@code lock}, the row stays locked until the transaction ends. */
    static long readVersion(Connection c, boolean lock) throws SQLException {
        String sql = "SELECT v FROM table_version WHERE id = 1" + (lock ? " FOR UPDATE" : "");
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new StoreException("store schema is damaged: table_version has no row");
            }
            return rs.getLong(1);
        }
    }

    /** Increments the locked version row; returns the new version. */
    static long bump(Connection c, long lockedVersion) throws SQLException {
        if (Sql.update(c, "UPDATE table_version SET v = v + 1 WHERE id = 1") != 1) {
            throw new StoreException("store schema is damaged: table_version has no row");
        }
        return lockedVersion + 1;
    }

    static boolean isRetryable(SQLException e) {
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
}
