package net.passerelle.admin.model;

import java.util.ArrayList;
import java.util.List;

import static net.passerelle.admin.model.MigrationState.ABORTED;
import static net.passerelle.admin.model.MigrationState.AWAITING_COPY;
import static net.passerelle.admin.model.MigrationState.CUTOVER;
import static net.passerelle.admin.model.MigrationState.DONE;
import static net.passerelle.admin.model.MigrationState.OPEN;
import static net.passerelle.admin.model.MigrationState.READ_ONLY;
import static net.passerelle.admin.model.MigrationState.REPLAYING;
import static net.passerelle.admin.model.MigrationState.SCHEDULED;
import static net.passerelle.admin.model.MigrationState.VERIFICATION_FAILED;
import static net.passerelle.admin.model.MigrationState.VERIFYING;

/**
 * The migration's rules, and nothing else: given a state and what happened, the next state or why not. No store,
 * no clock, no sockets, so that every path of the morning is testable as a table. The driver and the API ask it
 * before they write anything; the store then applies the answer only if the state is still the one asked about.
 */
public final class MigrationFlow {

    /** What can happen to a migration. */
    public enum Event {
        /** the start time is reached (or there is none) */
        START_REACHED,
        /** every gateway live at the write applied the read-only mode */
        READ_ONLY_CONFIRMED,
        /** ops say the data is copied ({@code POST …/continue}), or ask for verification again */
        CONTINUE,
        /** the new backends passed verification */
        VERIFIED,
        /** the new backends failed verification */
        VERIFICATION_FAILED,
        /** every gateway applied the new backends */
        CUTOVER_CONFIRMED,
        /** every gateway applied the open mode */
        OPEN_CONFIRMED,
        /** nothing of the group's spool waits any more (or the wait's bound passed) */
        REPLAY_FINISHED,
        /** ops give up ({@code POST …/abort}) */
        ABORT
    }

    /** The answer: {@code allowed} with the next state, or a refusal that says why. */
    public record Transition(boolean allowed, MigrationState to, String refusal) {
        static Transition to(MigrationState next) {
            return new Transition(true, next, null);
        }

        static Transition refused(String why) {
            return new Transition(false, null, why);
        }
    }

    /** The nominal path, in order: the steps a new migration plans. */
    public static final List<MigrationState> PLAN = List.of(SCHEDULED, READ_ONLY, AWAITING_COPY, VERIFYING, CUTOVER,
            OPEN, REPLAYING, DONE);

    private MigrationFlow() {
    }

    public static Transition next(MigrationState state, Event event) {
        if (state.terminal()) {
            return Transition.refused("the migration is " + state.wireName() + ": nothing more happens to it");
        }
        if (event == Event.ABORT) {
            return state.abortable() ? Transition.to(ABORTED)
                    : Transition.refused("the migration is in " + state.wireName()
                    + ": the group is already switched to its new backends, abort is only possible before cutover");
        }
        MigrationState expected = from(event);
        if (event == Event.CONTINUE) {
            return state == AWAITING_COPY || state == VERIFICATION_FAILED ? Transition.to(VERIFYING)
                    : Transition.refused("continue is possible in awaiting-copy or verification-failed, not in "
                    + state.wireName());
        }
        if (state != expected) {
            return Transition.refused(event + " happens in " + expected.wireName() + ", not in " + state.wireName());
        }
        return Transition.to(to(event));
    }

    /** The state an event of the driver happens in. */
    private static MigrationState from(Event event) {
        return switch (event) {
            case START_REACHED -> SCHEDULED;
            case READ_ONLY_CONFIRMED -> READ_ONLY;
            case VERIFIED, VERIFICATION_FAILED -> VERIFYING;
            case CUTOVER_CONFIRMED -> CUTOVER;
            case OPEN_CONFIRMED -> OPEN;
            case REPLAY_FINISHED -> REPLAYING;
            case CONTINUE -> AWAITING_COPY;
            case ABORT -> SCHEDULED;
        };
    }

    private static MigrationState to(Event event) {
        return switch (event) {
            case START_REACHED -> READ_ONLY;
            case READ_ONLY_CONFIRMED -> AWAITING_COPY;
            case VERIFIED -> CUTOVER;
            case VERIFICATION_FAILED -> MigrationState.VERIFICATION_FAILED;
            case CUTOVER_CONFIRMED -> OPEN;
            case OPEN_CONFIRMED -> REPLAYING;
            case REPLAY_FINISHED -> DONE;
            case CONTINUE -> VERIFYING;
            case ABORT -> ABORTED;
        };
    }

    /** The steps still to come after {@code state} on the nominal path (none after a terminal state). */
    public static List<MigrationState> plannedAfter(MigrationState state) {
        if (state.terminal()) {
            return List.of();
        }
        MigrationState anchor = state == VERIFICATION_FAILED ? VERIFYING : state;
        int i = PLAN.indexOf(anchor);
        return i < 0 ? List.of() : PLAN.subList(i + 1, PLAN.size());
    }

    /**
     * The steps as the API shows them: the recorded entries, then the steps still planned. After an abort, the
     * steps that will never run are listed as {@code skipped}.
     */
    public static List<MigrationStep> view(Migration m) {
        List<MigrationStep> all = new ArrayList<>(m.steps());
        if (m.state() == ABORTED) {
            // The steps that will never run come before the abort's own entry, which ends the list.
            int at = all.size();
            while (at > 0 && !all.get(at - 1).step().equals(ABORTED.wireName())) {
                at--;
            }
            at = at == 0 ? all.size() : at - 1;
            int last = lastNominal(m);
            for (int i = last + 1; i < PLAN.size(); i++) {
                all.add(at++, new MigrationStep(PLAN.get(i).wireName(), MigrationStep.SKIPPED, null, null, null));
            }
            return all;
        }
        boolean stateRecorded = m.steps().stream().anyMatch(s -> s.step().equals(m.state().wireName()));
        if (!stateRecorded && !m.state().terminal()) {
            all.add(MigrationStep.planned(m.state()));
        }
        for (MigrationState s : plannedAfter(m.state())) {
            all.add(MigrationStep.planned(s));
        }
        return all;
    }

    /** The index in {@link #PLAN} of the furthest nominal step recorded. */
    private static int lastNominal(Migration m) {
        int last = -1;
        for (MigrationStep s : m.steps()) {
            for (int i = 0; i < PLAN.size(); i++) {
                if (PLAN.get(i).wireName().equals(s.step())) {
                    last = Math.max(last, i);
                }
            }
        }
        return last;
    }
}
