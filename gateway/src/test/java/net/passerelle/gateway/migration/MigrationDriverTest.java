package net.passerelle.gateway.migration;

import net.passerelle.admin.api.ApiException;
import net.passerelle.admin.api.FleetConfirmer;
import net.passerelle.admin.api.MigrationViews;
import net.passerelle.admin.model.AuditEntry;
import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.Migration;
import net.passerelle.admin.model.MigrationState;
import net.passerelle.admin.model.MigrationStep;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.admin.store.JdbcStore;
import net.passerelle.admin.store.Store;
import net.passerelle.gateway.cutover.CutoverReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver against a real store (H2), with effects the test steers: the whole path, an abort in each state
 * before cutover racing a driver that is mid-step, and a driver that dies mid-step resumed by another one.
 */
class MigrationDriverTest {
    private static final Duration POLL = Duration.ofMillis(40);
    private static final Duration TTL = Duration.ofMillis(800);
    private static final Migration.Placement OLD = new Migration.Placement(List.of("10.0.0.1:80"), List.of());
    private static final Migration.Placement NEW = new Migration.Placement(List.of("10.0.0.9:80"), List.of("10.0.0.8:80"));

    @TempDir
    Path dir;
    private Store store;
    private final List<MigrationDriver> drivers = new ArrayList<>();

    @BeforeEach
    void open() {
        store = new JdbcStore("jdbc:h2:file:" + dir.resolve("store"), "", "");
        store.putGroup("ops", Group.of("srv-12", List.of(Backend.parse("10.0.0.1:80"))));
    }

    @AfterEach
    void close() {
        drivers.forEach(MigrationDriver::close);
        store.close();
    }

    private MigrationDriver driver(String owner, FakeEffects effects) {
        MigrationSteps steps = new MigrationSteps(store::migrations, effects, owner, Clock.systemUTC(),
                Duration.ofSeconds(5), m -> { });
        MigrationDriver d = new MigrationDriver(store::migrations, steps, POLL, TTL, Clock.systemUTC(), null).start();
        drivers.add(d);
        return d;
    }

    private MigrationCommands commands(MigrationDriver d) {
        return new MigrationCommands(store::migrations, d, Duration.ofSeconds(5));
    }

    private Migration create(MigrationCommands c, Instant start) {
        return c.create("alice", new Migration("mig-" + System.nanoTime(), "srv-12", MigrationState.SCHEDULED,
                WritePolicy.QUEUE, OLD, NEW, 900, start, null, null, null, null, null, null, null, null, null, true,
                List.of()));
    }

    private Migration find(String id) {
        return store.migrations().find(id).orElseThrow();
    }

    private void awaitState(String id, MigrationState state) {
        await(id + " in " + state, () -> find(id).state() == state);
    }

    private static void await(String what, BooleanSupplier condition) {
        net.passerelle.gateway.testing.Await.until(what, java.time.Duration.ofSeconds(15), condition);
    }

    private long audits(String action) {
        return store.audit(1000).stream().map(AuditEntry::action).filter(action::equals).count();
    }

    /** The view's read-only time of a finished migration ends with the step that opened the group, whenever asked. */
    private static void assertReadOnlyTimeStopsAt(Migration m, String openingStep) {
        Instant opened = m.steps().stream().filter(s -> s.step().equals(openingStep)).reduce((a, b) -> b)
                .orElseThrow().endedAt();
        long expected = Duration.between(m.readOnlySince(), opened).toSeconds();
        assertEquals(expected, MigrationViews.view(m, Instant.now()).get("readOnlySeconds"));
        assertEquals(expected, MigrationViews.view(m, Instant.now().plusSeconds(3600)).get("readOnlySeconds"));
    }

    private Group group() {
        return store.group("srv-12").orElseThrow();
    }

    @Test
    void theWholeMorningRunsToDoneWithEveryStepRecordedAndEachEffectOnce() {
        FakeEffects effects = new FakeEffects();
        MigrationCommands ops = commands(driver("gw-a", effects));
        Migration m = create(ops, null);
        awaitState(m.id(), MigrationState.AWAITING_COPY);
        assertEquals(Mode.READ_ONLY, group().mode());
        assertEquals(WritePolicy.QUEUE, group().writes());
        assertTrue(find(m.id()).readOnlySince() != null);
        assertEquals(0, effects.verifications.get(), "nothing is verified before ops say the data is copied");
        ops.continueMigration(m.id(), "alice");
        await("done", () -> !find(m.id()).active());
        Migration done = find(m.id());
        assertEquals(MigrationState.DONE, done.state());
        assertEquals(List.of("scheduled", "read-only", "awaiting-copy", "verifying", "cutover", "open", "replaying", "done"),
                done.steps().stream().map(MigrationStep::step).toList());
        assertTrue(done.steps().stream().allMatch(s -> s.status().equals(MigrationStep.DONE)), done.steps().toString());
        assertEquals(Mode.OPEN, group().mode());
        assertEquals(WritePolicy.REJECT, group().writes(), "the group's own write policy is back once it is open");
        assertEquals(List.of(Backend.parse("10.0.0.9:80")), group().backends());
        assertEquals(List.of(Backend.parse("10.0.0.8:80")), group().spares());
        assertEquals(2, audits("group.mode"));
        assertEquals(1, audits("group.backends"));
        assertEquals(1, audits("migration.done"));
        assertTrue(done.reportJson().contains("\"ok\":true"), done.reportJson());
        assertTrue(done.spoolJson().contains("\"waiting\":0"), done.spoolJson());
        assertReadOnlyTimeStopsAt(done, "open");
        ApiException late = assertThrows(ApiException.class, () -> ops.abort(m.id(), "bob"));
        assertEquals(409, late.status());
    }

    @Test
    void aFailedVerificationKeepsTheGroupReadOnlyOnItsOldBackendsUntilOpsContinueOrAbort() {
        FakeEffects effects = new FakeEffects();
        effects.verify = m -> CompletableFuture.completedFuture(FakeEffects.report(false));
        MigrationCommands ops = commands(driver("gw-a", effects));
        Migration m = create(ops, null);
        awaitState(m.id(), MigrationState.AWAITING_COPY);
        ops.continueMigration(m.id(), "alice");
        awaitState(m.id(), MigrationState.VERIFICATION_FAILED);
        assertEquals(Mode.READ_ONLY, group().mode());
        assertEquals(List.of(Backend.parse("10.0.0.1:80")), group().backends());
        assertTrue(find(m.id()).reportJson().contains("default page"));
        ops.continueMigration(m.id(), "alice");
        await("a second failed verification", () -> effects.verifications.get() == 2
                && find(m.id()).state() == MigrationState.VERIFICATION_FAILED);
        assertEquals(List.of("scheduled", "read-only", "awaiting-copy", "verifying", "verification-failed", "verifying",
                "verification-failed"), find(m.id()).steps().stream().map(MigrationStep::step).toList());
        ops.abort(m.id(), "alice");
        await("aborted", () -> !find(m.id()).active());
        assertEquals(Mode.OPEN, group().mode());
        assertEquals(List.of(Backend.parse("10.0.0.1:80")), group().backends());
        assertEquals(0, audits("group.backends"));
    }

    /**
     * Abort from each state before cutover, from another admin process, while the driver that holds the lock is in
     * the middle of its step where it has one (blocked in its confirmation or its verification): the abort wins, the
     * group ends open on its old backends, and the blocked driver, released, writes nothing.
     */
    @ParameterizedTest
    @EnumSource(value = MigrationState.class, names = {"SCHEDULED", "READ_ONLY", "AWAITING_COPY", "VERIFYING",
            "VERIFICATION_FAILED"})
    void anAbortBeforeCutoverWinsOverTheDriverAndReopensOnTheOldBackends(MigrationState at) {
        FakeEffects effects = new FakeEffects();
        CompletableFuture<Void> release = new CompletableFuture<>();
        if (at == MigrationState.READ_ONLY) {
            effects.confirm = v -> release.thenApply(x -> new FleetConfirmer.Confirmation(v, 1, 1, List.of(), List.of(), true));
        } else if (at == MigrationState.VERIFYING) {
            effects.verify = m -> release.thenApply(x -> FakeEffects.report(true));
        } else if (at == MigrationState.VERIFICATION_FAILED) {
            effects.verify = m -> CompletableFuture.completedFuture(FakeEffects.report(false));
        }
        MigrationDriver da = driver("gw-a", effects);
        MigrationCommands a = commands(da);
        Migration m = create(a, at == MigrationState.SCHEDULED ? Instant.now().plusSeconds(3600) : null);
        if (at == MigrationState.VERIFYING || at == MigrationState.VERIFICATION_FAILED) {
            awaitState(m.id(), MigrationState.AWAITING_COPY);
            a.continueMigration(m.id(), "alice");
        }
        awaitState(m.id(), at);
        if (at == MigrationState.READ_ONLY) {
            // The state is READ_ONLY from the step's start; the group's mode is written in the driver's next bout, just
            // before it asks the fleet to confirm. Abort once it is there, in its confirmation, as the javadoc says.
            await("the driver confirming read-only", () -> effects.confirmations.get() == 1);
        } else if (at == MigrationState.VERIFYING) {
            await("the driver verifying", () -> effects.verifications.get() == 1);
        }
        MigrationCommands b = commands(driver("gw-b", new FakeEffects()));
        Migration aborted = b.abort(m.id(), "bob");
        assertEquals(MigrationState.ABORTED, aborted.state());
        await("the abort confirmed", () -> !find(m.id()).active());
        release.complete(null);
        assertEquals(Mode.OPEN, group().mode());
        assertEquals(WritePolicy.REJECT, group().writes(), "the abort gives the group its own write policy back");
        assertEquals(List.of(Backend.parse("10.0.0.1:80")), group().backends());
        Migration end = find(m.id());
        if (end.readOnlySince() != null) {
            assertReadOnlyTimeStopsAt(end, "aborted");
        }
        assertEquals("aborted", end.steps().get(end.steps().size() - 1).step());
        assertEquals(MigrationStep.DONE, end.steps().get(end.steps().size() - 1).status());
        long modes = audits("group.mode");
        // The released driver's bout runs to its end: whatever it would write wrongly is written by then.
        da.running(m.id()).join();
        assertEquals(MigrationState.ABORTED, find(m.id()).state());
        assertEquals(Mode.OPEN, group().mode());
        assertEquals(modes, audits("group.mode"));
        assertEquals(0, audits("group.backends"));
        assertEquals(at == MigrationState.SCHEDULED ? 0 : 2, modes, "read-only then open again, or nothing");
        assertThrows(ApiException.class, () -> b.continueMigration(m.id(), "bob"));
    }

    @Test
    void aDriverThatDiesRightAfterTheCutoverIsResumedByAnotherWithoutASecondCutover() {
        FakeEffects dying = new FakeEffects();
        dying.confirm = v -> {
            if (group().backends().equals(List.of(Backend.parse("10.0.0.9:80")))) {
                // killed between the effect and the record of its confirmation
                throw new IllegalStateException("killed");
            }
            return CompletableFuture.completedFuture(new FleetConfirmer.Confirmation(v, 1, 1, List.of(), List.of(), true));
        };
        MigrationDriver a = driver("gw-a", dying);
        MigrationCommands ops = commands(a);
        Migration m = create(ops, null);
        awaitState(m.id(), MigrationState.AWAITING_COPY);
        ops.continueMigration(m.id(), "alice");
        await("the switch written", () -> group().backends().equals(List.of(Backend.parse("10.0.0.9:80"))));
        a.halt();
        long version = store.version();
        assertEquals(MigrationState.CUTOVER, find(m.id()).state());
        assertEquals("gw-a", find(m.id()).lockOwner());
        FakeEffects healthy = new FakeEffects();
        driver("gw-b", healthy);
        await("resumed and done", () -> !find(m.id()).active());
        Migration done = find(m.id());
        assertEquals(MigrationState.DONE, done.state());
        assertEquals(1, audits("group.backends"), "the cutover was applied once");
        assertEquals(version + 1, store.version(), "only the open mode changed the table after the resumption");
        assertEquals(List.of("scheduled", "read-only", "awaiting-copy", "verifying", "cutover", "open", "replaying", "done"),
                done.steps().stream().map(MigrationStep::step).toList());
        assertEquals(1, dying.verifications.get() + healthy.verifications.get(), "the verification ran once");
        assertTrue(store.audit(1000).stream().anyMatch(e -> e.action().equals("migration.cutover")
                && e.actor().contains("gw-b") && e.after().contains("\"status\":\"done\"")), "gw-b finished the cutover step");
    }

    /**
     * The driver dies between taking the group read-only and recording the fleet's confirmation; the one that
     * resumes applies the read-only mode again over a group that already carries the migration's policy. What the
     * group had before must still be what the migration gives back.
     */
    @Test
    void aDriverThatDiesRightAfterTakingTheGroupReadOnlyLeavesItsStandingWritePolicyToBeRestored() {
        FakeEffects dying = new FakeEffects();
        dying.confirm = v -> {
            if (group().mode() == Mode.READ_ONLY) {
                throw new IllegalStateException("killed");
            }
            return CompletableFuture.completedFuture(new FleetConfirmer.Confirmation(v, 1, 1, List.of(), List.of(), true));
        };
        MigrationDriver a = driver("gw-a", dying);
        Migration m = create(commands(a), null);
        await("the read-only mode written", () -> group().mode() == Mode.READ_ONLY);
        a.halt();
        assertEquals(MigrationState.READ_ONLY, find(m.id()).state());
        assertEquals(WritePolicy.QUEUE, group().writes());
        MigrationCommands ops = commands(driver("gw-b", new FakeEffects()));
        awaitState(m.id(), MigrationState.AWAITING_COPY);
        ops.continueMigration(m.id(), "alice");
        await("resumed and done", () -> !find(m.id()).active());
        assertEquals(MigrationState.DONE, find(m.id()).state());
        assertEquals(Mode.OPEN, group().mode());
        assertEquals(WritePolicy.REJECT, group().writes());
    }

    @Test
    void aStartTimeKeepsTheMigrationScheduledAndAnOverrunIsReportedOnceWithoutOpeningAnything() {
        FakeEffects effects = new FakeEffects();
        List<String> overruns = new java.util.concurrent.CopyOnWriteArrayList<>();
        MigrationSteps steps = new MigrationSteps(store::migrations, effects, "gw-a", Clock.offset(Clock.systemUTC(),
                Duration.ofSeconds(901)), Duration.ofSeconds(5), x -> overruns.add(x.id()));
        MigrationDriver d = new MigrationDriver(store::migrations, steps, POLL, TTL, Clock.systemUTC(), null).start();
        drivers.add(d);
        MigrationCommands ops = commands(d);
        Migration later = create(ops, Instant.now().plusSeconds(3600));
        d.drive(later.id()).join(); // a whole bout before the start time moves nothing
        assertEquals(MigrationState.SCHEDULED, find(later.id()).state());
        ops.abort(later.id(), "alice");
        Migration m = create(ops, null);
        awaitState(m.id(), MigrationState.AWAITING_COPY);
        await("the overrun", () -> find(m.id()).overrunAt() != null);
        d.drive(m.id()).join(); // two more bouts past the limit: an overrun reported again would show
        d.drive(m.id()).join();
        assertEquals(List.of(m.id()), overruns);
        assertEquals(MigrationState.AWAITING_COPY, find(m.id()).state());
        assertEquals(Mode.READ_ONLY, group().mode());
        assertFalse(find(m.id()).steps().isEmpty());
    }
}
