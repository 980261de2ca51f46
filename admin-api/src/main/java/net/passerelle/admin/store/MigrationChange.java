package net.passerelle.admin.store;

import net.passerelle.admin.model.MigrationState;

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

    /** Takes the lock for {@code owner} whoever held it (ops' abort wins over a driver mid-step). */
    public MigrationChange takeLock(String owner, Duration ttl) {
        this.lockOwner = owner;
        this.lockTtl = ttl;
        return this;
    }
}
