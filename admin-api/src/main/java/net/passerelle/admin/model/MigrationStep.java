package net.passerelle.admin.model;

import java.time.Instant;

/**
 * One entry of a migration's steps, as the store records them and the API shows them.
 *
 * @param step      the step's name: a {@link MigrationState} wire name
 * @param status    {@value #PLANNED}, {@value #RUNNING}, {@value #DONE}, {@value #FAILED} or {@value #SKIPPED}
 * @param startedAt when it started, null while planned
 * @param endedAt   when it ended, null while planned or running
 * @param outcome   a short text for people (what was applied, what failed), or null
 */
public record MigrationStep(String step, String status, Instant startedAt, Instant endedAt, String outcome) {
    public static final String PLANNED = "planned";
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String FAILED = "failed";
    public static final String SKIPPED = "skipped";

    public static MigrationStep planned(MigrationState step) {
        return new MigrationStep(step.wireName(), PLANNED, null, null, null);
    }

    public boolean running() {
        return RUNNING.equals(status);
    }
}
