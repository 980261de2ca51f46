package net.passerelle.admin.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A scheduled period, {@code [start, end)} in UTC, during which a group is in {@code mode} with write policy
 * {@code writes}; outside it the group's standing mode applies.
 */
public record Window(Instant start, Instant end, Mode mode, WritePolicy writes) {

    /** @throws IllegalArgumentException when a field is missing or {@code end} is not after {@code start} */
    public Window {
        if (start == null || end == null) {
            throw new IllegalArgumentException("invalid window: start and end are required");
        }
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("invalid window: end " + end + " is not after start " + start);
        }
        if (mode == null) {
            throw new IllegalArgumentException("invalid window: mode is required");
        }
        if (writes == null) {
            writes = WritePolicy.REJECT;
        }
    }

    /** Whether the window is in force at {@code now}: {@code start <= now < end}. */
    public boolean inForce(Instant now) {
        Objects.requireNonNull(now, "now");
        return !now.isBefore(start) && now.isBefore(end);
    }

    /** Whether the window is over at {@code now}. */
    public boolean isOver(Instant now) {
        return !now.isBefore(end);
    }
}
