package net.passerelle.gateway.migration;

import net.passerelle.admin.api.ApiException;
import net.passerelle.admin.model.Migration;
import net.passerelle.admin.model.MigrationFlow;
import net.passerelle.admin.model.MigrationFlow.Event;
import net.passerelle.admin.model.MigrationState;
import net.passerelle.admin.model.MigrationStep;
import net.passerelle.admin.store.MigrationChange;
import net.passerelle.admin.store.MigrationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static net.passerelle.admin.model.MigrationState.AWAITING_COPY;
import static net.passerelle.admin.model.MigrationState.READ_ONLY;

/**
 * What ops do to a migration: create it, continue it, abort it. Each is one compare-and-set on the state as read,
 * decided by {@link MigrationFlow} first; continue and abort do not need the lock (ops outrank the driver), and an
 * abort takes it, so the driver that was working on the migration finds it changed and writes nothing more.
 */
public final class MigrationCommands {
    private static final Logger log = LoggerFactory.getLogger(MigrationCommands.class);

    private final Supplier<MigrationStore> store;
    private final MigrationDriver driver;
    private final Duration abortWait;

    /** @param abortWait how long an abort waits for the fleet to confirm the group open before it answers */
    public MigrationCommands(Supplier<MigrationStore> store, MigrationDriver driver, Duration abortWait) {
        this.store = store;
        this.driver = driver;
        this.abortWait = abortWait;
    }

    public Migration create(String actor, Migration draft) {
        Migration m = store.get().create(actor, draft);
        log.info("migration {} of group {} to {} created by {}", m.id(), m.group(), m.to().backends(), actor);
        driver.wake();
        return m;
    }

    /** Leaves {@code awaiting-copy} (the data is copied) or {@code verification-failed} (verify again). */
    public Migration continueMigration(String id, String actor) {
        Migration m = find(id);
        MigrationFlow.Transition t = MigrationFlow.next(m.state(), Event.CONTINUE);
        if (!t.allowed()) {
            throw refused(m, t.refusal());
        }
        String outcome = (m.state() == AWAITING_COPY ? "data copied" : "verify again") + "; continue by " + actor;
        MigrationChange change = new MigrationChange().state(t.to()).endStep(MigrationStep.DONE, outcome)
                .beginStep(MigrationState.VERIFYING, "verifying " + m.to().backends());
        if (!store.get().apply(actor, id, Set.of(m.state()), null, change)) {
            throw refused(find(id), "the migration changed meanwhile");
        }
        driver.wake();
        return find(id);
    }

    /**
     * Before cutover: the group goes back to open on its old backends, with the write policy it had before the
     * migration, in the same transaction as the abort when the migration had made it read-only; then this process's driver waits for the fleet and finishes the
     * migration (or, if this process dies, any driver does once the lock lapses).
     */
    public Migration abort(String id, String actor) {
        Migration m = find(id);
        MigrationFlow.Transition t = MigrationFlow.next(m.state(), Event.ABORT);
        if (!t.allowed()) {
            throw refused(m, t.refusal());
        }
        boolean wasReadOnly = m.steps().stream().anyMatch(s -> s.step().equals(READ_ONLY.wireName()));
        MigrationChange change = new MigrationChange().state(t.to())
                .endStep(MigrationStep.SKIPPED, "aborted by " + actor)
                .beginStep(MigrationState.ABORTED, wasReadOnly ? "opening the group again on its old backends"
                        : "nothing to undo")
                .takeLock(driver.owner(), driver.lockTtl());
        if (wasReadOnly) {
            change.reopen();
        }
        if (!store.get().apply(actor, id, Set.of(m.state()), null, change)) {
            throw refused(find(id), "the migration changed meanwhile");
        }
        log.info("migration {} of group {} aborted by {} in {}", id, m.group(), actor, m.state());
        try {
            driver.drive(id).get(abortWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.info("migration {}: the abort is still being confirmed ({}); the driver finishes it", id, e.toString());
        }
        return find(id);
    }

    public Migration find(String id) {
        return store.get().find(id).orElseThrow(() -> ApiException.notFound("no migration " + id));
    }

    private static ApiException refused(Migration m, String why) {
        return new ApiException(409, "conflict", why, Map.of("migration", m.id(), "state", m.state().wireName()));
    }
}
