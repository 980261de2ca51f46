package net.passerelle.gateway.routing;

import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A group as one routing snapshot sees it. Immutable apart from the round-robin cursor; a change of mode,
 * backends or message produces a new snapshot, never a mutation of this one, so a request judged against a
 * snapshot sees one consistent group.
 *
 * @param mode            the mode in force now (a window already applied by whoever built the snapshot)
 * @param modeEndsAt      when the current mode is expected to end (window end), or null
 * @param retryAfterSeconds default Retry-After when no window end is known
 * @param message         per-language message override, possibly empty
 * @param profile         name of the write-classification profile
 * @param readOnlySince   since when the group is read-only, for its notices; null when it is not read-only or the
 *                        time is unknown
 */
public record GroupRoute(
        String name,
        List<Backend> backends,
        List<Backend> spares,
        Mode mode,
        WritePolicy writes,
        Instant modeEndsAt,
        int retryAfterSeconds,
        Map<String, String> message,
        String profile,
        Instant readOnlySince,
        AtomicInteger cursor) {

    public GroupRoute {
        backends = List.copyOf(backends);
        spares = List.copyOf(spares);
        message = Map.copyOf(message);
        cursor = cursor == null ? new AtomicInteger() : cursor;
    }

    public GroupRoute(String name, List<Backend> backends, List<Backend> spares, Mode mode, WritePolicy writes,
                      Instant modeEndsAt, int retryAfterSeconds, Map<String, String> message, String profile) {
        this(name, backends, spares, mode, writes, modeEndsAt, retryAfterSeconds, message, profile, null, null);
    }

    public GroupRoute(String name, List<Backend> backends, List<Backend> spares, Mode mode, WritePolicy writes,
                      Instant modeEndsAt, int retryAfterSeconds, Map<String, String> message, String profile,
                      Instant readOnlySince) {
        this(name, backends, spares, mode, writes, modeEndsAt, retryAfterSeconds, message, profile, readOnlySince,
                null);
    }
}
