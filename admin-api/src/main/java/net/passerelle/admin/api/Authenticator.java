package net.passerelle.admin.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Who is calling: the admin API's bearer tokens, each with a name ({@code admin.tokens}; {@code admin.token} is
 * named {@value #ADMIN}). The name is what the audit log records as the actor. There is no anonymous caller: an
 * authenticator holds at least one token.
 *
 * <h2>Comparison</h2>
 * The presented token is hashed (SHA-256) and compared with every token's digest by {@link MessageDigest#isEqual},
 * all of them every time: the time taken says nothing about which token, or which prefix, came close.
 *
 * <h2>Failures</h2>
 * Failed authentications are counted ({@link #failures()}) and limited per client address: each address may fail
 * {@code maxFailuresPerMinute} times in a row, then earns one more attempt every {@code 60 s / maxFailuresPerMinute}
 * (a token bucket). While an address has no attempt left, its calls get {@code 429} with {@code Retry-After}
 * before any token is looked at, the right one included: a guesser learns nothing more. Successful calls cost nothing.
 */
public final class Authenticator {
    /** The name of {@code admin.token} (or {@code PASSERELLE_ADMIN_TOKEN}, or the generated token). */
    public static final String ADMIN = "admin";
    public static final int DEFAULT_MAX_FAILURES_PER_MINUTE = 10;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final long MINUTE_NANOS = Duration.ofMinutes(1).toNanos();

    private record Named(String name, byte[] digest) {
    }

    private final List<Named> tokens;
    private final int maxFailures;
    private final LongSupplier nanoTime;
    private final Cache<InetAddress, Bucket> buckets;
    private final LongAdder failures = new LongAdder();
    private final LongAdder refused = new LongAdder();

    /**
     * @param tokens               name to token; names of 1 to 64 characters among letters, digits and {@code ._@-}
     * @param maxFailuresPerMinute failed attempts an address may make in a row (at least 1)
     * @throws IllegalArgumentException for no token, a bad name, an empty token, or one token under two names
     */
    public Authenticator(Map<String, String> tokens, int maxFailuresPerMinute) {
        this(tokens, maxFailuresPerMinute, System::nanoTime);
    }

    Authenticator(Map<String, String> tokens, int maxFailuresPerMinute, LongSupplier nanoTime) {
        this.tokens = named(tokens);
        if (maxFailuresPerMinute < 1) {
            throw new IllegalArgumentException("admin.maxAuthFailuresPerMinute must be at least 1, not " + maxFailuresPerMinute);
        }
        this.maxFailures = maxFailuresPerMinute;
        this.nanoTime = nanoTime;
        this.buckets = Caffeine.newBuilder().maximumSize(10_000).expireAfterAccess(Duration.ofMinutes(10)).build();
    }

    /** One token, named {@value #ADMIN}, with the default failure limit. */
    public static Authenticator single(String token) {
        return new Authenticator(Map.of(ADMIN, token == null ? "" : token), DEFAULT_MAX_FAILURES_PER_MINUTE);
    }

    /** Checks a token name (for the configuration's checks); null when valid, else why not. */
    public static String nameProblem(String name) {
        return name != null && NAME.matcher(name).matches() ? null
                : "token name '" + name + "' must be 1 to 64 letters, digits or . _ @ -";
    }

    private static List<Named> named(Map<String, String> tokens) {
        if (tokens == null || tokens.isEmpty()) {
            throw new IllegalArgumentException("the admin API needs at least one token: it never runs unauthenticated");
        }
        List<Named> list = new ArrayList<>();
        Set<String> digests = new HashSet<>();
        for (Map.Entry<String, String> e : new LinkedHashMap<>(tokens).entrySet()) {
            String problem = nameProblem(e.getKey());
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            if (e.getValue() == null || e.getValue().isBlank()) {
                throw new IllegalArgumentException("the token named '" + e.getKey() + "' is empty");
            }
            byte[] digest = sha256(e.getValue());
            if (!digests.add(java.util.HexFormat.of().formatHex(digest))) {
                throw new IllegalArgumentException("the token named '" + e.getKey() + "' is also given another name:"
                        + " the audit log could not tell who called");
            }
            list.add(new Named(e.getKey(), digest));
        }
        return List.copyOf(list);
    }

    /** The token names, in order. */
    public List<String> names() {
        return tokens.stream().map(Named::name).toList();
    }

    /**
     * The name of the token that {@code authorization} ({@code Bearer <token>}) carries.
     *
     * @param client the caller's address, whose failures are counted; null counts them under no address
     * @throws ApiException 401 without a valid token, 429 while {@code client} has no attempt left
     */
    public String authenticate(InetAddress client, String authorization) {
        Bucket bucket = client == null ? null : buckets.get(client, c -> new Bucket(maxFailures, nanoTime.getAsLong()));
        if (bucket != null) {
            long wait = bucket.nanosUntilAttempt(nanoTime.getAsLong(), maxFailures);
            if (wait > 0) {
                refused.increment();
                long seconds = Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
                throw new ApiException(429, "too many failed authentications", maxFailures
                        + " or more failed authentications from " + client.getHostAddress() + " within a minute; try again in "
                        + seconds + " s", Map.of("retryAfterSeconds", seconds));
            }
        }
        String presented = null;
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = authorization.substring(7).trim();
        }
        // Always hash and compare with every token, so that a missing header costs the same as a wrong token.
        byte[] digest = sha256(presented == null ? "" : presented);
        String match = null;
        for (Named t : tokens) {
            if (MessageDigest.isEqual(digest, t.digest()) & presented != null) {
                match = t.name();
            }
        }
        if (match == null) {
            failures.increment();
            if (bucket != null) {
                bucket.fail(nanoTime.getAsLong(), maxFailures);
            }
            throw new ApiException(401, "unauthorized", presented == null
                    ? "an Authorization: Bearer <token> header is required" : "the token is not valid");
        }
        return match;
    }

    /** Failed authentications so far. */
    public long failures() {
        return failures.sum();
    }

    /** Calls refused with 429 because their address had failed too often. */
    public long refusedWhileLimited() {
        return refused.sum();
    }

    /** A token bucket of failed attempts: {@code max} of them, one more every minute / {@code max}. */
    private static final class Bucket {
        private double attempts;
        private long updated;

        Bucket(int max, long now) {
            this.attempts = max;
            this.updated = now;
        }

        synchronized long nanosUntilAttempt(long now, int max) {
            refill(now, max);
            return attempts >= 1 ? 0 : (long) ((1 - attempts) * MINUTE_NANOS / max);
        }

        synchronized void fail(long now, int max) {
            refill(now, max);
            attempts = Math.max(0, attempts - 1);
        }

        private void refill(long now, int max) {
            attempts = Math.min(max, attempts + (double) (now - updated) * max / MINUTE_NANOS);
            updated = now;
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
