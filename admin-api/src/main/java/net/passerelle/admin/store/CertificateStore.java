package net.passerelle.admin.store;

import java.util.List;
import java.util.Optional;

/**
 * Where the fleet shares what ACME gives it: certificates ordered on demand, the account, the HTTP-01 answers being
 * validated, and a per-host lock so that only one gateway orders a name at a time.
 *
 * <p>Every change of a certificate or a challenge increments {@link #version()} in the same transaction, so a
 * gateway polls that one row and reloads only when it moved. Private keys come in and go out as opaque strings,
 * sealed by the caller: the store never holds the sealing key. Instants are epoch milliseconds.
 * {@link StoreException} means the store failed; nothing was changed.
 */
public interface CertificateStore {

    /** A certificate ordered for one host: its chain in PEM (leaf first) and its sealed private key. */
    record StoredCertificate(String host, String chainPem, String keyData, String issuer, long notBeforeMs,
                             long notAfterMs, long updatedMs) {
    }

    /** An HTTP-01 answer: {@code /.well-known/acme-challenge/{token}} on {@code host} answers {@code keyAuthorization}. */
    record Challenge(String token, String host, String keyAuthorization, long expiresMs) {
    }

    /** The ACME account of one directory. */
    record Account(String directory, String accountUrl, String keyData) {
    }

    /** The ordering state of one host, fleet-wide. */
    record OrderState(String host, String holder, long lockExpiresMs, int failures, long nextAttemptMs,
                      String lastError, boolean renewRequested) {
    }

    /** Changes with every certificate or challenge change; one single-row read. */
    long version();

    List<StoredCertificate> certificates();

    Optional<StoredCertificate> certificate(String host);

    /** Inserts or replaces the certificate of {@code cert.host()}, clears the host's failures and renewal request. */
    void putCertificate(StoredCertificate cert);

    Optional<Account> account(String directory);

    /** Stores the account of a directory unless one is there already; returns the one that is stored now. */
    Account putAccountIfAbsent(Account account);

    /** Challenges that have not expired at {@code nowMs}. */
    List<Challenge> challenges(long nowMs);

    void putChallenge(Challenge challenge);

    /** Removes a challenge, and every challenge expired at {@code nowMs}. */
    void removeChallenge(String token, long nowMs);

    /**
     * Claims the right to order {@code host} until {@code nowMs + ttlMs}: granted when nobody holds it, the holder's
     * claim has lapsed, or {@code holder} holds it already.
     */
    boolean tryLock(String host, String holder, long nowMs, long ttlMs);

    /** Releases a claim held by {@code holder} (a no-op otherwise). */
    void unlock(String host, String holder);

    Optional<OrderState> orderState(String host);

    /** Counts a failed order and sets when the next attempt may start. */
    void recordFailure(String host, String error, long nextAttemptMs);

    /** Asks for a renewal of {@code host} now (any gateway's renewer picks it up); clears its back-off. */
    void requestRenewal(String host);
}
