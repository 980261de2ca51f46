package net.passerelle.admin.store;

import net.passerelle.admin.model.Migration;
import net.passerelle.admin.model.MigrationState;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;

import java.time.Duration;

/**
 * What one compare-and-set of a migration writes, built with the fluent methods; {@link MigrationStore#apply}
 * writes it all in one transaction, or nothing. Unset parts are left as they are.
 */
public final class MigrationChange {
    MigrationState state;
    String endStatus;
    String endOutcome;
    String beginStep;
    String beginStatus;
    String beginOutcome;
    boolean readOnlySince;
    boolean overrun;
    String reportJson;
    String spoolJson;
    boolean finish;
    String lockOwner;
    Duration lockTtl;
    Mode mode;
    WritePolicy writes;
    boolean reopen;
    Migration.Placement backends;
    long version = -1;

    /** Moves to {@code next}. */
    public MigrationChange state(MigrationState next) {
        this.state = next;
        return this;
    }

    /** Ends the running step with {@code status} (done, failed, skipped) and an outcome for people. */
    public MigrationChange endStep(String status, String outcome) {
        this.endStatus = status;
        this.endOutcome = outcome;
        return this;
    }

    /** Starts a step entry: {@code running} until a later change ends it. */
    public MigrationChange beginStep(MigrationState step, String outcome) {
        return addStep(step, net.passerelle.admin.model.MigrationStep.RUNNING, outcome);
    }

    /** Adds a step entry that starts and ends now with {@code status}, or stays running for {@code running}. */
    public MigrationChange addStep(MigrationState step, String status, String outcome) {
        this.beginStep = step.wireName();
        this.beginStatus = status;
        this.beginOutcome = outcome;
        return this;
    }

    /** Records now as when the group became read-only, unless it is recorded already. */
    public MigrationChange readOnlySince() {
        this.readOnlySince = true;
        return this;
    }

    /** Records the overrun alert; the change applies only if no alert was recorded before (it fires once). */
    public MigrationChange overrun() {
        this.overrun = true;
        return this;
    }

    public MigrationChange report(String json) {
        this.reportJson = json;
        return this;
    }

    public MigrationChange spool(String json) {
        this.spoolJson = json;
        return this;
    }

    /** The migration is finished: the group may start another one; the lock is released. */
    public MigrationChange finish() {
        this.finish = true;
        return this;
    }

    /**
     * Sets the group's standing mode (and write policy, unless null) in the same transaction as the rest: the
     * effect happens if and only if the compare-and-set succeeds, so a driver that lost its lock or raced an abort
     * can never apply it late. Setting the mode it already has is no change (no new version, no audit entry).
     * Setting {@link Mode#READ_ONLY} records the group's write policy of before, the first time only (a resumed
     * step finds the migration's policy on the group already), for {@link #reopen} to restore.
     */
    public MigrationChange mode(Mode newMode, WritePolicy newWrites) {
        this.mode = newMode;
        this.writes = newWrites;
        return this;
    }

    /**
     * Opens the group again with the write policy it had before this migration took it read-only (recorded by the
     * store in that transaction), in the same transaction as the rest (see {@link #mode}); with the group's current
     * policy when the migration never took it read-only.
     */
    public MigrationChange reopen() {
        this.mode = Mode.OPEN;
        this.writes = null;
        this.reopen = true;
        return this;
    }

    /** Replaces the group's backends and spares in the same transaction as the rest (see {@link #mode}). */
    public MigrationChange backends(Migration.Placement placement) {
        this.backends = placement;
        return this;
    }

    /**
     * After a successful {@link MigrationStore#apply} with a {@link #mode} or {@link #backends} effect: the table
     * version that holds it (the current one when it changed nothing), for the fleet's confirmation; -1 otherwise.
     */
    public long version() {
        return version;
    }

    /** Takes the lock for {@code owner} whoever held it (ops' abort wins over a driver mid-step). */
    public MigrationChange takeLock(String owner, Duration ttl) {
        this.lockOwner = owner;
        this.lockTtl = ttl;
        return this;
    }
}
