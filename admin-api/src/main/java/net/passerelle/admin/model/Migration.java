package net.passerelle.admin.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A migration of a group to new backends, as the store holds it: the request, where it is, what it found, and who
 * drives it.
 *
 * @param from               the group's backends and spares when the migration was created
 * @param to                 where it moves the group
 * @param maxReadOnlySeconds how long the group may stay read-only before the overrun alert (null: no alert)
 * @param start              when the read-only step may begin (null: at once)
 * @param path               what verification requests (null: {@code cutover.path})
 * @param readOnlySince      when the read-only mode was written, null before
 * @param overrunAt          when the overrun alert was raised, null if never
 * @param reportJson         the last verification report, as JSON text, or null
 * @param spoolJson          the replay's outcomes, as JSON text, or null
 * @param lockOwner          the admin process driving it, or null
 * @param lockUntil          until when (store clock) the lock holds
 * @param active             not finished yet: the group's one active migration (false once done or aborted and its
 *                           last effect confirmed)
 * @param steps              the step entries recorded so far, oldest first (planned ones are not stored)
 */
public record Migration(String id, String group, MigrationState state, WritePolicy writes, Placement from,
                        Placement to, Integer maxReadOnlySeconds, Instant start, String path, Instant createdAt,
                        Instant updatedAt, Instant readOnlySince, Instant overrunAt, String reportJson,
                        String spoolJson, String lockOwner, Instant lockUntil, boolean active,
                        List<MigrationStep> steps) {

    /** Backends and spares, as {@code host:port} text. */
    public record Placement(List<String> backends, List<String> spares) {
        public Placement {
            backends = backends == null ? List.of() : List.copyOf(backends);
            spares = spares == null ? List.of() : List.copyOf(spares);
        }
    }

    public Migration {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(writes, "writes");
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /** The entry of the step now running, or null. */
    public MigrationStep runningStep() {
        for (int i = steps.size() - 1; i >= 0; i--) {
            if (steps.get(i).running()) {
                return steps.get(i);
            }
        }
        return null;
    }
}
