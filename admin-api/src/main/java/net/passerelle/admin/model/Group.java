package net.passerelle.admin.model;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An account group: the accounts that live on the same backend server(s), the unit of migration, of read-only
 * switching and of failover. Immutable; the {@code with…} methods return modified copies.
 *
 * @param name              {@code [a-z0-9][a-z0-9._-]{0,62}}
 * @param backends          used normally, in order; may be empty (then every request gets the 502 notice)
 * @param spares            used only while no backend is healthy
 * @param mode              the standing mode, applied outside the window
 * @param writes            the standing write policy in read-only mode
 * @param retryAfterSeconds {@code Retry-After} for rejected writes when no window end is known; 0 to 31536000
 * @param message           per-language notice override, language tag ({@code en}, {@code fr}, …) to text; may be empty
 * @param profile           name of the write-classification profile, {@value #DEFAULT_PROFILE} by default
 * @param window            the scheduled window, or {@code null}
 * @param readOnlySince     when the standing mode last became read-only, as the store recorded it; null when the
 *                          standing mode is not read-only, or the time is unknown. The store sets it on every write
 *                          (what a caller passes is not kept), so it is a fact, not a setting.
 */
public record Group(String name, List<Backend> backends, List<Backend> spares, Mode mode, WritePolicy writes,
                    int retryAfterSeconds, Map<String, String> message, String profile, Window window,
                    Instant readOnlySince) {

    public static final String DEFAULT_PROFILE = "piwigo";
    public static final int DEFAULT_RETRY_AFTER_SECONDS = 300;
    public static final int MAX_RETRY_AFTER_SECONDS = 365 * 24 * 3600;

    /**
     * Validates; null lists and maps become empty, a null mode {@code open}, a null policy {@code reject},
     * a null profile {@value #DEFAULT_PROFILE}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public Group {
        Names.requireGroupName(name);
        backends = backends == null ? List.of() : List.copyOf(backends);
        spares = spares == null ? List.of() : List.copyOf(spares);
        Set<Backend> seen = new HashSet<>();
        for (Backend b : backends) {
            if (!seen.add(b)) {
                throw new IllegalArgumentException("group '" + name + "': backend " + b + " is listed twice");
            }
        }
        for (Backend b : spares) {
            if (!seen.add(b)) {
                throw new IllegalArgumentException("group '" + name + "': spare " + b + " is listed twice or is also a backend");
            }
        }
        mode = mode == null ? Mode.OPEN : mode;
        writes = writes == null ? WritePolicy.REJECT : writes;
        if (retryAfterSeconds < 0 || retryAfterSeconds > MAX_RETRY_AFTER_SECONDS) {
            throw new IllegalArgumentException("group '" + name + "': retryAfterSeconds " + retryAfterSeconds
                    + " is out of range 0.." + MAX_RETRY_AFTER_SECONDS);
        }
        message = message == null ? Map.of() : Map.copyOf(message);
        for (Map.Entry<String, String> e : message.entrySet()) {
            if (!e.getKey().matches("[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")) {
                throw new IllegalArgumentException("group '" + name + "': message language '" + e.getKey()
                        + "' is not a language tag such as en or fr");
            }
        }
        profile = profile == null ? DEFAULT_PROFILE : Names.requireProfileName(profile);
        readOnlySince = mode == Mode.READ_ONLY ? readOnlySince : null;
    }

    /** A group as a caller describes it: since when it is read-only is the store's to say. */
    public Group(String name, List<Backend> backends, List<Backend> spares, Mode mode, WritePolicy writes,
                 int retryAfterSeconds, Map<String, String> message, String profile, Window window) {
        this(name, backends, spares, mode, writes, retryAfterSeconds, message, profile, window, null);
    }

    /** A new open group with the given backends and no spares, default policy, retry-after, profile, no window. */
    public static Group of(String name, List<Backend> backends) {
        return new Group(name, backends, List.of(), Mode.OPEN, WritePolicy.REJECT, DEFAULT_RETRY_AFTER_SECONDS,
                Map.of(), DEFAULT_PROFILE, null);
    }

    /** The mode in force at {@code now}: the window's while it is in force, the standing mode otherwise. */
    public Mode effectiveMode(Instant now) {
        return window != null && window.inForce(now) ? window.mode() : mode;
    }

    /** The write policy in force at {@code now}: the window's while it is in force, the standing policy otherwise. */
    public WritePolicy effectiveWrites(Instant now) {
        return window != null && window.inForce(now) ? window.writes() : writes;
    }

    /** The window if it is in force at {@code now}, else {@code null}. */
    public Window windowInForce(Instant now) {
        return window != null && window.inForce(now) ? window : null;
    }

    public Group withBackends(List<Backend> newBackends, List<Backend> newSpares) {
        return new Group(name, newBackends, newSpares, mode, writes, retryAfterSeconds, message, profile, window,
                readOnlySince);
    }

    public Group withMode(Mode newMode, WritePolicy newWrites, int newRetryAfterSeconds, Map<String, String> newMessage) {
        return new Group(name, backends, spares, newMode, newWrites, newRetryAfterSeconds, newMessage, profile, window,
                readOnlySince);
    }

    public Group withWindow(Window newWindow) {
        return new Group(name, backends, spares, mode, writes, retryAfterSeconds, message, profile, newWindow,
                readOnlySince);
    }

    public Group withProfile(String newProfile) {
        return new Group(name, backends, spares, mode, writes, retryAfterSeconds, message, newProfile, window,
                readOnlySince);
    }

    public Group withReadOnlySince(Instant since) {
        return new Group(name, backends, spares, mode, writes, retryAfterSeconds, message, profile, window, since);
    }
}
