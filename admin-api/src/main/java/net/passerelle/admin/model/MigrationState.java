package net.passerelle.admin.model;

import java.util.Locale;

/**
 * Where a migration is: its current step. The order is the nominal path of the migration morning; {@link
 * #VERIFICATION_FAILED} and {@link #ABORTED} are the detours. Wire names are lower case with dashes
 * ({@code read-only}, {@code awaiting-copy}).
 */
public enum MigrationState {
    SCHEDULED,
    READ_ONLY,
    AWAITING_COPY,
    VERIFYING,
    VERIFICATION_FAILED,
    CUTOVER,
    OPEN,
    REPLAYING,
    DONE,
    ABORTED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * @throws IllegalArgumentException for a name that is no state
     */
    public static MigrationState parse(String name) {
        for (MigrationState s : values()) {
            if (s.wireName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown migration state '" + name + "'");
    }

    /** Nothing more happens to the migration (its group may start another one). */
    public boolean terminal() {
        return this == DONE || this == ABORTED;
    }

    /**
     * Abort is allowed: the group has not been switched yet, so returning it to open on its old backends loses
     * nothing. From {@link #CUTOVER} on, going back is a migration of its own.
     */
    public boolean abortable() {
        return ordinal() <= VERIFICATION_FAILED.ordinal();
    }

    /** The group is read-only because of the migration (from the read-only step until it is open again). */
    public boolean groupReadOnly() {
        return ordinal() >= READ_ONLY.ordinal() && ordinal() <= CUTOVER.ordinal();
    }

    /** The migration waits for ops ({@code continue} or {@code abort}), not for the driver. */
    public boolean waitsForOps() {
        return this == AWAITING_COPY || this == VERIFICATION_FAILED;
    }

    @Override
    public String toString() {
        return wireName();
    }
}
