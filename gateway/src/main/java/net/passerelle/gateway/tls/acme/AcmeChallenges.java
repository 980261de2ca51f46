package net.passerelle.gateway.tls.acme;

import net.passerelle.admin.store.CertificateStore.Challenge;
import net.passerelle.gateway.tls.HttpsRedirect;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * HTTP-01 answers (RFC 8555 section 8.3) that this gateway knows: the ones it publishes itself and the ones of
 * the whole fleet, read from the store by {@link StoredCertificates}. {@link #answer} is the pure entry point the
 * request path calls at admission on the plain listener; it never touches the store.
 */
public final class AcmeChallenges {
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,255}");

    private volatile Map<String, Challenge> fleet = Map.of();
    private final Map<String, Challenge> local = new ConcurrentHashMap<>();

    /**
     * @param normalizedHost the request's host, normalised
     * @param path           the request's path (no query), e.g. {@code /.well-known/acme-challenge/TOKEN}
     * @return the key authorisation to answer with {@code 200 text/plain}, or null when this is no challenge of ours
     *         (the request then goes on as any other)
     */
    public String answer(String normalizedHost, String path) {
        if (path == null || !path.startsWith(HttpsRedirect.CHALLENGE_PREFIX)) {
            return null;
        }
        String token = path.substring(HttpsRedirect.CHALLENGE_PREFIX.length());
        if (!TOKEN.matcher(token).matches()) {
            return null;
        }
        Challenge c = local.get(token);
        if (c == null) {
            c = fleet.get(token);
        }
        return c != null && c.host().equals(normalizedHost) ? c.keyAuthorization() : null;
    }

    /** A challenge this gateway is about to have validated. */
    void publish(Challenge challenge) {
        local.put(challenge.token(), challenge);
    }

    void withdraw(String token) {
        local.remove(token);
    }

    /** The fleet's challenges, as last read from the store. */
    void replaceFleet(List<Challenge> challenges) {
        Map<String, Challenge> m = new ConcurrentHashMap<>();
        challenges.forEach(c -> m.put(c.token(), c));
        fleet = m;
    }
}
