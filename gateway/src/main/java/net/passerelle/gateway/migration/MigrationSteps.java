package net.passerelle.gateway.migration;

import com.fasterxml.jackson.core.JsonProcessingException;
import net.passerelle.admin.api.FleetConfirmer;
import net.passerelle.admin.api.Json;
import net.passerelle.admin.model.Migration;
import net.passerelle.admin.model.MigrationFlow;
import net.passerelle.admin.model.MigrationFlow.Event;
import net.passerelle.admin.model.MigrationState;
import net.passerelle.admin.model.MigrationStep;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.store.MigrationChange;
import net.passerelle.admin.store.MigrationStore;
import net.passerelle.gateway.cutover.CutoverReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static net.passerelle.admin.model.MigrationState.ABORTED;
import static net.passerelle.admin.model.MigrationState.AWAITING_COPY;
import static net.passerelle.admin.model.MigrationState.CUTOVER;
import static net.passerelle.admin.model.MigrationState.DONE;
import static net.passerelle.admin.model.MigrationState.OPEN;
import static net.passerelle.admin.model.MigrationState.READ_ONLY;
import static net.passerelle.admin.model.MigrationState.REPLAYING;
import static net.passerelle.admin.model.MigrationState.VERIFICATION_FAILED;

/**
 * One step of a migration, taken by the driver that holds its lock. Every step follows the same protocol:
 * <ol>
 *   <li>its entry is already recorded {@code running}: the transition into the state wrote it;</li>
 *   <li>its effect on the group (mode, backends) is a compare-and-set of the store, applied together with a
 *       check that this driver still holds the lock and the state is unchanged: a driver that lost its lock, or
 *       was overtaken by an abort, applies nothing; one that resumes a step another driver half did applies the
 *       same value again, which the store takes as no change (no new version, no audit entry);</li>
 *   <li>it waits for the fleet to apply the version, as {@code PUT /mode} does; a gateway still lagging keeps the
 *       step where it is (tried again at the next poll), a lost one is named in the outcome;</li>
 *   <li>the transition to the next state (decided by {@link MigrationFlow}) ends the entry {@code done} and begins
 *       the next, in one compare-and-set.</li>
 * </ol>
 */
public final class MigrationSteps {
    private static final Logger log = LoggerFactory.getLogger(MigrationSteps.class);

    private final Supplier<MigrationStore> store;
    private final MigrationEffects effects;
    private final String owner;
    private final String actor;
    private final Clock clock;
    private final Duration replayWait;
    private final Consumer<Migration> onOverrun;

    /**
     * @param owner      the lock owner this driver writes (its gateway id)
     * @param onOverrun  hears once of each migration that passed its {@code maxReadOnlySeconds} (the metrics)
     */
    public MigrationSteps(Supplier<MigrationStore> store, MigrationEffects effects, String owner, Clock clock,
                          Duration replayWait, Consumer<Migration> onOverrun) {
        this.store = store;
        this.effects = effects;
        this.owner = owner;
        this.actor = "migration driver " + owner;
        this.clock = clock;
        this.replayWait = replayWait;
        this.onOverrun = onOverrun;
    }

    public String owner() {
        return owner;
    }

    /** Takes the migration's current step as far as it can go now; true when its state moved (or it finished). */
    public boolean advance(Migration m) {
        watchOverrun(m);
        return switch (m.state()) {
            case SCHEDULED -> start(m);
            case READ_ONLY -> readOnly(m);
            case AWAITING_COPY, VERIFICATION_FAILED, DONE -> false;
            case VERIFYING -> verify(m);
            case CUTOVER -> cutover(m);
            case OPEN -> open(m);
            case REPLAYING -> replaying(m);
            case ABORTED -> reopen(m);
        };
    }

    private boolean start(Migration m) {
        Instant now = clock.instant();
        if (m.start() != null && now.isBefore(m.start())) {
            return false;
        }
        String outcome = m.start() == null ? "started at once" : "start time " + m.start() + " reached";
        return transition(m, Event.START_REACHED, new MigrationChange().endStep(MigrationStep.DONE, outcome)
                .beginStep(READ_ONLY, "setting " + m.group() + " read-only (" + m.writes().wireName() + ")"));
    }

    private boolean readOnly(Migration m) {
        return applyThenConfirm(m, new MigrationChange().mode(Mode.READ_ONLY, m.writes()).readOnlySince(),
                Event.READ_ONLY_CONFIRMED, "read-only (" + m.writes().wireName() + ")",
                AWAITING_COPY, "waiting for ops to copy the data, then continue");
    }

    /**
     * The shape of the steps that change the group: the effect (written with the step's compare-and-set, so a
     * resumed step writes the same value again and the store sees no change), the fleet's confirmation, then the
     * move to the next step. False while the fleet has not confirmed: the next bout looks again.
     */
    private boolean applyThenConfirm(Migration m, MigrationChange effect, Event confirmed, String done,
                                     MigrationState next, String nextDetail) {
        if (!apply(m, effect)) {
            return false;
        }
        FleetConfirmer.Confirmation c = confirm(effect.version());
        if (c == null) {
            return false;
        }
        return transition(m, confirmed, new MigrationChange()
                .endStep(MigrationStep.DONE, done + " " + applied(c))
                .beginStep(next, nextDetail));
    }

    private boolean verify(Migration m) {
        CutoverReport report;
        try {
            report = effects.verify(m).join();
        } catch (RuntimeException e) {
            log.warn("migration {}: verification could not run: {}", m.id(), e.toString());
            return false;
        }
        String json = json(report);
        if (report.ok()) {
            return transition(m, Event.VERIFIED, new MigrationChange().report(json)
                    .endStep(MigrationStep.DONE, "every host answered alike on every address of the new backends")
                    .beginStep(CUTOVER, "switching to " + m.to().backends()));
        }
        String problems = report.problems().size() + " problem(s): " + String.join("; ", report.problems());
        log.warn("migration {}: verification of {} for group {} failed, the group stays read-only on its old"
                + " backends: {}", m.id(), m.to().backends(), m.group(), problems);
        return transition(m, Event.VERIFICATION_FAILED, new MigrationChange().report(json)
                .endStep(MigrationStep.FAILED, problems)
                .beginStep(VERIFICATION_FAILED, "still read-only on the old backends; continue to verify again, or abort"));
    }

    private boolean cutover(Migration m) {
        return applyThenConfirm(m, new MigrationChange().backends(m.to()), Event.CUTOVER_CONFIRMED,
                "switched to " + m.to().backends(), OPEN, "opening " + m.group());
    }

    private boolean open(Migration m) {
        return applyThenConfirm(m, new MigrationChange().reopen(), Event.OPEN_CONFIRMED, "open",
                REPLAYING, "replaying the queued writes to the new backends");
    }

    private boolean replaying(Migration m) {
        ReplayProgress p = effects.replay(m);
        MigrationStep step = m.runningStep();
        Instant since = step == null || step.startedAt() == null ? m.updatedAt() : step.startedAt();
        boolean timedOut = clock.instant().isAfter(since.plus(replayWait));
        String json = json(p.document());
        if (p.waitingInFleet() > 0 && !timedOut) {
            if (!json.equals(m.spoolJson())) {
                apply(m, new MigrationChange().spool(json));
            }
            return false;
        }
        String outcome = p.delivered() + " delivered, " + p.failedFinal() + " refused for good"
                + (p.waitingInFleet() == 0 ? "" : ", " + p.waitingInFleet() + " still waiting after " + replayWait
                + " (the spools keep replaying)")
                + (p.unreachable().isEmpty() ? "" : "; on unreachable gateways, replayed when they are back: " + p.unreachable());
        return transition(m, Event.REPLAY_FINISHED, new MigrationChange().spool(json)
                .endStep(MigrationStep.DONE, outcome).addStep(DONE, MigrationStep.DONE, "migrated to "
                        + m.to().backends()).finish());
    }

    /**
     * After an abort: the group open again on its old backends (they were never replaced: abort stops before
     * cutover) with its own write policy, confirmed by the fleet; its spool then replays there by itself. Nothing to undo when the group was
     * never made read-only.
     */
    private boolean reopen(Migration m) {
        if (!m.active()) {
            return false;
        }
        boolean wasReadOnly = m.steps().stream().anyMatch(s -> s.step().equals(READ_ONLY.wireName()));
        String outcome = "nothing to undo: the group was never made read-only";
        if (wasReadOnly) {
            MigrationChange effect = new MigrationChange().reopen();
            if (!apply(m, effect)) {
                return false;
            }
            FleetConfirmer.Confirmation c = confirm(effect.version());
            if (c == null) {
                return false;
            }
            outcome = "open again on " + m.from().backends() + " " + applied(c);
        }
        return store.get().apply(actor, m.id(), Set.of(ABORTED), owner,
                new MigrationChange().endStep(MigrationStep.DONE, outcome).finish());
    }

    /** The overrun alert: once per migration, fleet-wide (the store records it under a condition). */
    private void watchOverrun(Migration m) {
        Integer max = m.maxReadOnlySeconds();
        if (max == null || m.overrunAt() != null || m.readOnlySince() == null || !m.state().groupReadOnly()) {
            return;
        }
        long seconds = Duration.between(m.readOnlySince(), clock.instant()).toSeconds();
        if (seconds <= max) {
            return;
        }
        if (store.get().apply(actor, m.id(), Set.of(m.state()), null, new MigrationChange().overrun())) {
            log.warn("migration {}: group {} has been read-only for {} s, more than maxReadOnlySeconds {} (state {});"
                    + " nothing is opened by this, ops decide", m.id(), m.group(), seconds, max, m.state());
            onOverrun.accept(m);
        }
    }

    /** A change of the current state that keeps it, under this driver's lock. */
    private boolean apply(Migration m, MigrationChange change) {
        return store.get().apply(actor, m.id(), Set.of(m.state()), owner, change);
    }

    private boolean transition(Migration m, Event event, MigrationChange change) {
        MigrationFlow.Transition t = MigrationFlow.next(m.state(), event);
        if (!t.allowed()) {
            throw new IllegalStateException("migration " + m.id() + ": " + t.refusal());
        }
        boolean done = apply(m, change.state(t.to()));
        if (done) {
            log.info("migration {} of group {}: {} -> {}", m.id(), m.group(), m.state(), t.to());
        }
        return done;
    }

    /** The fleet's confirmation, or null while a live gateway has not applied the version (try again later). */
    private FleetConfirmer.Confirmation confirm(long version) {
        CompletableFuture<FleetConfirmer.Confirmation> f = effects.confirm(version);
        FleetConfirmer.Confirmation c = f.join();
        if (!c.lagging().isEmpty()) {
            log.info("version {} not yet applied by {}; the step waits", version, c.lagging());
            return null;
        }
        return c;
    }

    private static String applied(FleetConfirmer.Confirmation c) {
        return "(applied by " + c.applied() + "/" + c.gateways() + " gateways"
                + (c.lost().isEmpty() ? "" : "; lost, on their fail-safe: " + String.join(", ", c.lost())) + ")";
    }

    static String json(Object value) {
        try {
            return Json.STRICT.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
