package net.passerelle.admin.store;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * {@link CertificateStore} over the same database and pool as {@link JdbcStore} (tables of migration V4). Each call
 * is one short transaction; changes of certificates and challenges increment {@code tls_version} in the same
 * transaction. Lock claims are one conditional UPDATE, which MariaDB, Galera and H2 all apply atomically.
 */
public final class JdbcCertificateStore implements CertificateStore {
    private static final int MAX_ATTEMPTS = 5;

    private final DataSource dataSource;

    public JdbcCertificateStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The certificate store that shares {@code store}'s database. */
    public static JdbcCertificateStore of(JdbcStore store) {
        return new JdbcCertificateStore(store.dataSource());
    }

    @Override
    public long version() {
        return tx("tls version", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT v FROM tls_version WHERE id = 1");
                 ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new StoreException("store schema is damaged: tls_version has no row");
                }
                return rs.getLong(1);
            }
        });
    }

    @Override
    public List<StoredCertificate> certificates() {
        return tx("certificates", c -> readCertificates(c, null));
    }

    @Override
    public Optional<StoredCertificate> certificate(String host) {
        return tx("certificate", c -> readCertificates(c, host).stream().findFirst());
    }

    private static List<StoredCertificate> readCertificates(Connection c, String host) throws SQLException {
        String sql = "SELECT host, chain_pem, key_data, issuer, not_before, not_after, updated_ms FROM tls_certificate"
                + (host == null ? " ORDER BY host" : " WHERE host = ?");
        List<StoredCertificate> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (host != null) {
                ps.setString(1, host);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new StoredCertificate(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getLong(5), rs.getLong(6), rs.getLong(7)));
                }
            }
        }
        return out;
    }

    @Override
    public void putCertificate(StoredCertificate cert) {
        tx("put certificate", c -> {
            Object[] values = {cert.chainPem(), cert.keyData(), truncate(cert.issuer(), 1000), cert.notBeforeMs(),
                    cert.notAfterMs(), cert.updatedMs(), cert.host()};
            if (update(c, "UPDATE tls_certificate SET chain_pem = ?, key_data = ?, issuer = ?, not_before = ?,"
                    + " not_after = ?, updated_ms = ? WHERE host = ?", values) == 0) {
                update(c, "INSERT INTO tls_certificate (chain_pem, key_data, issuer, not_before, not_after, updated_ms,"
                        + " host) VALUES (?, ?, ?, ?, ?, ?, ?)", values);
            }
            update(c, "UPDATE tls_order SET failures = 0, next_attempt_ms = 0, last_error = NULL, renew_requested = 0"
                    + " WHERE host = ?", cert.host());
            bump(c);
            return null;
        });
    }

    @Override
    public Optional<Account> account(String directory) {
        return tx("acme account", c -> readAccount(c, directory));
    }

    private static Optional<Account> readAccount(Connection c, String directory) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT directory, account_url, key_data FROM tls_acme_account WHERE directory_id = ?")) {
            ps.setString(1, directoryId(directory));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Account(rs.getString(1), rs.getString(2), rs.getString(3)))
                        : Optional.empty();
            }
        }
    }

    @Override
    public Account putAccountIfAbsent(Account account) {
        try {
            tx("put acme account", c -> update(c, "INSERT INTO tls_acme_account (directory_id, directory, account_url,"
                            + " key_data, created_ms) VALUES (?, ?, ?, ?, ?)", directoryId(account.directory()),
                    account.directory(), account.accountUrl(), account.keyData(), System.currentTimeMillis()));
        } catch (StoreException e) {
            if (!(e.getCause() instanceof SQLIntegrityConstraintViolationException) && !isDuplicate(e.getCause())) {
                throw e;
            }
        }
        return account(account.directory()).orElseThrow(() -> new StoreException("the ACME account vanished"));
    }

    @Override
    public List<Challenge> challenges(long nowMs) {
        return tx("challenges", c -> {
            List<Challenge> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT token, host, key_authorization, expires_ms"
                    + " FROM tls_acme_challenge WHERE expires_ms > ?")) {
                ps.setLong(1, nowMs);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Challenge(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public void putChallenge(Challenge ch) {
        tx("put challenge", c -> {
            update(c, "DELETE FROM tls_acme_challenge WHERE token = ?", ch.token());
            update(c, "INSERT INTO tls_acme_challenge (token, host, key_authorization, expires_ms) VALUES (?, ?, ?, ?)",
                    ch.token(), ch.host(), ch.keyAuthorization(), ch.expiresMs());
            bump(c);
            return null;
        });
    }

    @Override
    public void removeChallenge(String token, long nowMs) {
        tx("remove challenge", c -> {
            if (update(c, "DELETE FROM tls_acme_challenge WHERE token = ? OR expires_ms <= ?", token, nowMs) > 0) {
                bump(c);
            }
            return null;
        });
    }

    @Override
    public boolean tryLock(String host, String holder, long nowMs, long ttlMs) {
        return tx("lock " + host, c -> {
            ensureOrderRow(c, host);
            return update(c, "UPDATE tls_order SET holder = ?, lock_expires_ms = ? WHERE host = ?"
                    + " AND (holder IS NULL OR lock_expires_ms <= ? OR holder = ?)",
                    holder, nowMs + ttlMs, host, nowMs, holder) == 1;
        });
    }

    @Override
    public void unlock(String host, String holder) {
        tx("unlock " + host, c -> update(c, "UPDATE tls_order SET holder = NULL, lock_expires_ms = 0"
                + " WHERE host = ? AND holder = ?", host, holder));
    }

    @Override
    public Optional<OrderState> orderState(String host) {
        return tx("order state", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT host, holder, lock_expires_ms, failures,"
                    + " next_attempt_ms, last_error, renew_requested FROM tls_order WHERE host = ?")) {
                ps.setString(1, host);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new OrderState(rs.getString(1), rs.getString(2), rs.getLong(3),
                            rs.getInt(4), rs.getLong(5), rs.getString(6), rs.getInt(7) != 0)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void recordFailure(String host, String error, long nextAttemptMs) {
        tx("order failure", c -> {
            ensureOrderRow(c, host);
            return update(c, "UPDATE tls_order SET failures = failures + 1, next_attempt_ms = ?, last_error = ?,"
                    + " renew_requested = 0 WHERE host = ?", nextAttemptMs, truncate(error, 1000), host);
        });
    }

    @Override
    public void requestRenewal(String host) {
        tx("request renewal", c -> {
            ensureOrderRow(c, host);
            update(c, "UPDATE tls_order SET renew_requested = 1, next_attempt_ms = 0 WHERE host = ?", host);
            bump(c);
            return null;
        });
    }

    private static void ensureOrderRow(Connection c, String host) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM tls_order WHERE host = ?")) {
            ps.setString(1, host);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try {
            update(c, "INSERT INTO tls_order (host, holder, lock_expires_ms, failures, next_attempt_ms, last_error,"
                    + " renew_requested) VALUES (?, NULL, 0, 0, 0, NULL, 0)", host);
        } catch (SQLException e) {
            // Another gateway inserted it first: the row is there, which is all this needs.
            if (!isDuplicate(e)) {
                throw e;
            }
        }
    }

    private static void bump(Connection c) throws SQLException {
        update(c, "UPDATE tls_version SET v = v + 1 WHERE id = 1");
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T tx(String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (Throwable t) {
                    c.rollback();
                    throw t;
                }
            } catch (SQLException e) {
                if (attempt < MAX_ATTEMPTS && retryable(e)) {
                    continue;
                }
                throw new StoreException("store: " + what + " failed: " + e.getMessage(), e);
            }
        }
    }

    private static boolean retryable(SQLException e) {
        return "40001".equals(e.getSQLState()) || e.getErrorCode() == 1213 || e.getErrorCode() == 50200
                || e.getErrorCode() == 40001;
    }

    private static boolean isDuplicate(Throwable t) {
        for (; t != null; t = t.getCause()) {
            if (t instanceof SQLIntegrityConstraintViolationException) {
                return true;
            }
            if (t instanceof SQLException s && (s.getErrorCode() == 1062 || s.getErrorCode() == 23505
                    || "23000".equals(s.getSQLState()) || "23505".equals(s.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                if (a == null) {
                    ps.setNull(i + 1, Types.VARCHAR);
                } else if (a instanceof Long l) {
                    ps.setLong(i + 1, l);
                } else {
                    ps.setString(i + 1, a.toString());
                }
            }
            return ps.executeUpdate();
        }
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    static String directoryId(String directory) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(directory.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
