package net.passerelle.admin.model;

import net.passerelle.admin.model.MigrationFlow.Event;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The migration's rules as a table: every (state, event) pair is either the one expected transition or refused. */
class MigrationFlowTest {

    /** The only allowed transitions. */
    private static final Map<MigrationState, Map<Event, MigrationState>> ALLOWED = new EnumMap<>(MigrationState.class);

    static {
        allow(SCHEDULED, Event.START_REACHED, READ_ONLY);
        allow(READ_ONLY, Event.READ_ONLY_CONFIRMED, AWAITING_COPY);
        allow(AWAITING_COPY, Event.CONTINUE, VERIFYING);
        allow(VERIFYING, Event.VERIFIED, CUTOVER);
        allow(VERIFYING, Event.VERIFICATION_FAILED, VERIFICATION_FAILED);
        allow(VERIFICATION_FAILED, Event.CONTINUE, VERIFYING);
        allow(CUTOVER, Event.CUTOVER_CONFIRMED, OPEN);
        allow(OPEN, Event.OPEN_CONFIRMED, REPLAYING);
        allow(REPLAYING, Event.REPLAY_FINISHED, DONE);
        for (MigrationState s : List.of(SCHEDULED, READ_ONLY, AWAITING_COPY, VERIFYING, VERIFICATION_FAILED)) {
            allow(s, Event.ABORT, ABORTED);
        }
    }

    private static void allow(MigrationState from, Event e, MigrationState to) {
        ALLOWED.computeIfAbsent(from, k -> new EnumMap<>(Event.class)).put(e, to);
    }

    @Test
    void everyStateAndEventIsTheExpectedTransitionOrARefusal() {
        int allowed = 0;
        for (MigrationState s : MigrationState.values()) {
            for (Event e : Event.values()) {
                MigrationFlow.Transition t = MigrationFlow.next(s, e);
                MigrationState expected = ALLOWED.getOrDefault(s, Map.of()).get(e);
                if (expected == null) {
                    assertFalse(t.allowed(), s + " + " + e + " must be refused, got " + t);
                    assertNull(t.to());
                    assertTrue(t.refusal() != null && !t.refusal().isBlank(), s + " + " + e);
                } else {
                    allowed++;
                    assertTrue(t.allowed(), s + " + " + e + ": " + t.refusal());
                    assertEquals(expected, t.to(), s + " + " + e);
                }
            }
        }
        assertEquals(14, allowed);
    }

    @Test
    void abortIsRefusedFromCutoverOnAndNamesTheState() {
        for (MigrationState s : List.of(CUTOVER, OPEN, REPLAYING)) {
            MigrationFlow.Transition t = MigrationFlow.next(s, Event.ABORT);
            assertFalse(t.allowed());
            assertTrue(t.refusal().contains(s.wireName()), t.refusal());
        }
        assertTrue(MigrationFlow.next(DONE, Event.ABORT).refusal().contains("done"));
    }

    @Test
    void aNewMigrationShowsTheWholePlan() {
        Migration m = migration(SCHEDULED, List.of(new MigrationStep("scheduled", "running", Instant.EPOCH, null, null)));
        assertEquals(List.of("scheduled", "read-only", "awaiting-copy", "verifying", "cutover", "open", "replaying", "done"),
                MigrationFlow.view(m).stream().map(MigrationStep::step).toList());
        assertEquals(List.of("running", "planned", "planned", "planned", "planned", "planned", "planned", "planned"),
                MigrationFlow.view(m).stream().map(MigrationStep::status).toList());
    }

    @Test
    void aFailedVerificationThenAnotherKeepsTheHistoryAndTheRestOfThePlan() {
        Migration m = migration(VERIFYING, List.of(done("scheduled"), done("read-only"), done("awaiting-copy"),
                new MigrationStep("verifying", "failed", Instant.EPOCH, Instant.EPOCH, "1 problem"), done("verification-failed"),
                new MigrationStep("verifying", "running", Instant.EPOCH, null, null)));
        assertEquals(List.of("scheduled", "read-only", "awaiting-copy", "verifying", "verification-failed", "verifying",
                "cutover", "open", "replaying", "done"), MigrationFlow.view(m).stream().map(MigrationStep::step).toList());
    }

    @Test
    void anAbortListsTheStepsThatWillNeverRunAsSkippedBeforeItsOwnEntry() {
        Migration m = migration(ABORTED, List.of(done("scheduled"), done("read-only"),
                new MigrationStep("awaiting-copy", "skipped", Instant.EPOCH, Instant.EPOCH, "aborted"), done("aborted")));
        List<MigrationStep> view = MigrationFlow.view(m);
        assertEquals(List.of("scheduled", "read-only", "awaiting-copy", "verifying", "cutover", "open", "replaying", "done",
                "aborted"), view.stream().map(MigrationStep::step).toList());
        assertEquals("skipped", view.get(3).status());
        assertEquals("done", view.get(8).status());
    }

    @Test
    void onlyTheStatesBeforeCutoverAreAbortableAndReadOnlyLastsUntilOpen() {
        assertEquals(List.of(SCHEDULED, READ_ONLY, AWAITING_COPY, VERIFYING, VERIFICATION_FAILED),
                java.util.Arrays.stream(MigrationState.values()).filter(MigrationState::abortable).toList());
        assertEquals(List.of(READ_ONLY, AWAITING_COPY, VERIFYING, VERIFICATION_FAILED, CUTOVER),
                java.util.Arrays.stream(MigrationState.values()).filter(MigrationState::groupReadOnly).toList());
        assertEquals(VERIFICATION_FAILED, MigrationState.parse("verification-failed"));
    }

    private static MigrationStep done(String step) {
        return new MigrationStep(step, "done", Instant.EPOCH, Instant.EPOCH, null);
    }

    private static Migration migration(MigrationState state, List<MigrationStep> steps) {
        return new Migration("mig-1", "srv-12", state, WritePolicy.QUEUE, new Migration.Placement(List.of("a:80"), null),
                new Migration.Placement(List.of("b:80"), null), 900, null, null, Instant.EPOCH, Instant.EPOCH, null, null,
                null, null, null, null, !state.terminal(), steps);
    }
}
