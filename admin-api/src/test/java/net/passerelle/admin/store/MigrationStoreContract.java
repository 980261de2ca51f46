package net.passerelle.admin.store;

import net.passerelle.admin.model.AuditEntry;
import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.Migration;
import net.passerelle.admin.model.MigrationState;
import net.passerelle.admin.model.MigrationStep;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static net.passerelle.admin.model.MigrationState.ABORTED;
import static net.passerelle.admin.model.MigrationState.AWAITING_COPY;
import static net.passerelle.admin.model.MigrationState.READ_ONLY;
import static net.passerelle.admin.model.MigrationState.SCHEDULED;
import static net.passerelle.admin.model.MigrationState.VERIFYING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every database keeps of the {@link MigrationStore} contract; a subclass per database. */
abstract class MigrationStoreContract {

    protected abstract String createDatabase() throws Exception;

    protected abstract void dropDatabase() throws Exception;

    protected abstract String user();

    protected abstract String password();

    private final List<Store> opened = new ArrayList<>();
    private String url;
    private Store store;
    private MigrationStore migrations;

    @BeforeEach
    void open() throws Exception {
        url = createDatabase();
        store = openStore();
        migrations = store.migrations();
        store.putGroup("ops", Group.of("srv-12", List.of(Backend.parse("10.0.0.1:80"))));
        store.putGroup("ops", Group.of("srv-13", List.of(Backend.parse("10.0.0.2:80"))));
    }

    @AfterEach
    void close() throws Exception {
        opened.forEach(Store::close);
        dropDatabase();
    }

    private Store openStore() {
        Store s = new JdbcStore(url, user(), password());
        opened.add(s);
        return s;
    }

    static Migration draft(String id, String group) {
        return new Migration(id, group, SCHEDULED, WritePolicy.QUEUE, new Migration.Placement(List.of("10.0.0.1:80"), null),
                new Migration.Placement(List.of("10.0.0.9:80"), List.of("10.0.0.8:80")), 900, null, "/", null, null, null,
                null, null, null, null, null, true, List.of());
    }

    @Test
    void aNewMigrationIsScheduledWithItsFirstStepRunningAndAudited() {
        Migration m = migrations.create("alice", draft("mig-1", "srv-12"));
        assertEquals(SCHEDULED, m.state());
        assertTrue(m.active());
        assertEquals(List.of("10.0.0.9:80"), m.to().backends());
        assertEquals(List.of("10.0.0.8:80"), m.to().spares());
        assertEquals(900, m.maxReadOnlySeconds());
        assertEquals(1, m.steps().size());
        assertEquals("scheduled", m.steps().get(0).step());
        assertEquals(MigrationStep.RUNNING, m.steps().get(0).status());
        assertNotNull(m.steps().get(0).startedAt());
        AuditEntry a = store.audit(1).get(0);
        assertEquals("migration.scheduled", a.action());
        assertEquals("srv-12", a.target());
        assertEquals("alice", a.actor());
        assertTrue(a.after().contains("\"migration\":\"mig-1\""), a.after());
        assertEquals(m, migrations.find("mig-1").orElseThrow());
    }

    @Test
    void oneActiveMigrationPerGroupAndAnUnknownGroupIsRefused() {
        migrations.create("alice", draft("mig-1", "srv-12"));
        ActiveMigrationException e = assertThrows(ActiveMigrationException.class,
                () -> migrations.create("bob", draft("mig-2", "srv-12")));
        assertEquals("mig-1", e.migrationId());
        assertThrows(NotFoundException.class, () -> migrations.create("bob", draft("mig-3", "nope")));
        migrations.create("bob", draft("mig-4", "srv-13"));
        assertEquals(List.of("mig-4", "mig-1"), migrations.list(null, 10).stream().map(Migration::id).toList());
        assertEquals(List.of("mig-1"), migrations.list("srv-12", 10).stream().map(Migration::id).toList());
        assertTrue(migrations.find("mig-2").isEmpty());
    }

    @Test
    void concurrentCreationsForOneGroupFromTwoProcessesLetExactlyOneThrough() throws Exception {
        MigrationStore other = openStore().migrations();
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            MigrationStore s = i % 2 == 0 ? migrations : other;
            String id = "mig-race-" + i;
            results.add(pool.submit((Callable<String>) () -> {
                go.await();
                try {
                    return s.create("ops", draft(id, "srv-12")).id();
                } catch (ActiveMigrationException e) {
                    return null;
                }
            }));
        }
        go.countDown();
        List<String> created = new ArrayList<>();
        for (Future<String> f : results) {
            String id = f.get(30, TimeUnit.SECONDS);
            if (id != null) {
                created.add(id);
            }
        }
        pool.shutdown();
        assertEquals(1, created.size(), created.toString());
        assertEquals(created, migrations.active().stream().map(Migration::id).toList());
    }

    @Test
    void aLockIsHeldUntilItsTimePassesByTheStoresClockThenAnotherDriverTakesIt() {
        migrations.create("ops", draft("mig-1", "srv-12"));
        assertTrue(migrations.claim("mig-1", "gw-a", Duration.ofMillis(300)));
        assertTrue(migrations.claim("mig-1", "gw-a", Duration.ofMillis(300)), "the holder renews");
        assertFalse(migrations.claim("mig-1", "gw-b", Duration.ofSeconds(30)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!migrations.claim("mig-1", "gw-b", Duration.ofSeconds(30))) {
            assertTrue(System.nanoTime() < deadline, "gw-b never got the lapsed lock");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        // gw-a comes back from its pause: its transition is refused, nothing is written.
        assertFalse(migrations.apply("gw-a", "mig-1", Set.of(SCHEDULED), "gw-a",
                new MigrationChange().state(READ_ONLY).endStep(MigrationStep.DONE, "late").beginStep(READ_ONLY, null)));
        Migration m = migrations.find("mig-1").orElseThrow();
        assertEquals(SCHEDULED, m.state());
        assertEquals(1, m.steps().size());
        assertEquals("gw-b", m.lockOwner());
        assertTrue(migrations.apply("gw-b", "mig-1", Set.of(SCHEDULED), "gw-b",
                new MigrationChange().state(READ_ONLY).endStep(MigrationStep.DONE, "started").beginStep(READ_ONLY, null)));
        m = migrations.find("mig-1").orElseThrow();
        assertEquals(READ_ONLY, m.state());
        assertEquals(List.of("done", "running"), m.steps().stream().map(MigrationStep::status).toList());
        assertEquals("started", m.steps().get(0).outcome());
        migrations.release("mig-1", "gw-b");
        assertTrue(migrations.claim("mig-1", "gw-c", Duration.ofSeconds(5)), "a released lock is free at once");
    }

    @Test
    void anAbortTakesTheLockAndAStaleTransitionOfTheDriverThenChangesNothing() {
        migrations.create("ops", draft("mig-1", "srv-12"));
        assertTrue(migrations.claim("mig-1", "gw-a", Duration.ofSeconds(30)));
        assertTrue(migrations.apply("gw-a", "mig-1", Set.of(SCHEDULED), "gw-a", new MigrationChange().state(VERIFYING)
                .endStep(MigrationStep.DONE, null).beginStep(VERIFYING, null)));
        // ops abort while gw-a verifies
        assertTrue(migrations.apply("alice", "mig-1", Set.of(VERIFYING), null, new MigrationChange().state(ABORTED)
                .endStep(MigrationStep.SKIPPED, "aborted").beginStep(ABORTED, null).takeLock("gw-ops", Duration.ofSeconds(30))));
        assertFalse(migrations.apply("gw-a", "mig-1", Set.of(VERIFYING), "gw-a", new MigrationChange()
                .state(MigrationState.CUTOVER).endStep(MigrationStep.DONE, "verified").beginStep(MigrationState.CUTOVER, null)));
        Migration m = migrations.find("mig-1").orElseThrow();
        assertEquals(ABORTED, m.state());
        assertTrue(m.active(), "the abort's own effect is still to be confirmed");
        assertEquals(List.of("scheduled", "verifying", "aborted"), m.steps().stream().map(MigrationStep::step).toList());
        assertEquals(List.of("done", "skipped", "running"), m.steps().stream().map(MigrationStep::status).toList());
        assertThrows(ActiveMigrationException.class, () -> migrations.create("ops", draft("mig-2", "srv-12")));
        assertTrue(migrations.apply("gw-ops", "mig-1", Set.of(ABORTED), "gw-ops",
                new MigrationChange().endStep(MigrationStep.DONE, "open again").finish()));
        m = migrations.find("mig-1").orElseThrow();
        assertFalse(m.active());
        assertEquals(null, m.lockOwner());
        assertTrue(migrations.active().isEmpty());
        assertFalse(migrations.claim("mig-1", "gw-a", Duration.ofSeconds(5)), "a finished migration is nobody's work");
        migrations.create("ops", draft("mig-2", "srv-12"));
        List<String> actions = store.audit(20).stream().map(AuditEntry::action).toList();
        assertTrue(actions.containsAll(List.of("migration.aborted", "migration.verifying", "migration.scheduled")), actions.toString());
    }

    @Test
    void theOverrunIsRecordedOnceAndReadOnlySinceKeepsItsFirstValue() {
        migrations.create("ops", draft("mig-1", "srv-12"));
        assertTrue(migrations.apply("d", "mig-1", Set.of(SCHEDULED), null, new MigrationChange().state(AWAITING_COPY).readOnlySince()));
        Instant since = migrations.find("mig-1").orElseThrow().readOnlySince();
        assertNotNull(since);
        assertTrue(migrations.apply("d", "mig-1", Set.of(AWAITING_COPY), null, new MigrationChange().readOnlySince().overrun()));
        assertFalse(migrations.apply("d", "mig-1", Set.of(AWAITING_COPY), null, new MigrationChange().overrun()));
        Migration m = migrations.find("mig-1").orElseThrow();
        assertEquals(since, m.readOnlySince());
        assertNotNull(m.overrunAt());
        assertTrue(migrations.apply("d", "mig-1", Set.of(AWAITING_COPY), null, new MigrationChange().report("{\"ok\":false}")
                .spool("{\"waiting\":0}")));
        m = migrations.find("mig-1").orElseThrow();
        assertEquals("{\"ok\":false}", m.reportJson());
        assertEquals("{\"waiting\":0}", m.spoolJson());
    }

    /**
     * The group's own record of since when it is read-only (its notices say it), written by whoever changes its mode,
     * kept while it stays read-only; and a migration's read-only time is undone whole: the group's own write policy
     * comes back with the open mode, even when the read-only step was applied twice (a resumed driver).
     */
    @Test
    void theGroupRecordsSinceWhenItIsReadOnlyAndAMigrationGivesItsOwnPolicyBack() {
        assertNull(group("srv-12").readOnlySince());
        store.setMode("ops", "srv-12", Mode.READ_ONLY, WritePolicy.REJECT, null, null);
        Instant since = group("srv-12").readOnlySince();
        assertNotNull(since);
        store.setMode("ops", "srv-12", Mode.READ_ONLY, WritePolicy.QUEUE, 60, null);
        assertEquals(since, group("srv-12").readOnlySince(), "another policy is not another read-only time");
        store.setMode("ops", "srv-12", Mode.OPEN, WritePolicy.REJECT, null, null);
        assertNull(group("srv-12").readOnlySince());

        migrations.create("ops", draft("mig-1", "srv-12"));
        assertTrue(migrations.apply("d", "mig-1", Set.of(SCHEDULED), null, new MigrationChange().state(READ_ONLY)));
        for (int i = 0; i < 2; i++) {
            assertTrue(migrations.apply("d", "mig-1", Set.of(READ_ONLY), null,
                    new MigrationChange().mode(Mode.READ_ONLY, WritePolicy.QUEUE).readOnlySince()));
        }
        Group readOnly = group("srv-12");
        assertEquals(WritePolicy.QUEUE, readOnly.writes());
        assertNotNull(readOnly.readOnlySince());
        assertTrue(migrations.apply("d", "mig-1", Set.of(READ_ONLY), null, new MigrationChange().state(ABORTED).reopen()));
        Group reopened = group("srv-12");
        assertEquals(Mode.OPEN, reopened.mode());
        assertEquals(WritePolicy.REJECT, reopened.writes());
        assertNull(reopened.readOnlySince());
    }

    /**
     * While a migration holds the group, a mode or backends set by hand is refused and changes nothing: opened during
     * the data copy, the group's writes would land on the old server and be lost at the cutover, while the migration
     * still said read-only. Its own changes still go through; once it is finished, ops have the group back.
     */
    @Test
    void aGroupBeingMigratedRefusesAModeOrBackendsSetByHandUntilTheMigrationIsFinished() {
        migrations.create("ops", draft("mig-1", "srv-12"));
        assertTrue(migrations.apply("d", "mig-1", Set.of(SCHEDULED), null, new MigrationChange().state(AWAITING_COPY)
                .mode(Mode.READ_ONLY, WritePolicy.QUEUE).readOnlySince()));
        long version = store.version();
        List<Backend> other = List.of(Backend.parse("10.0.0.7:80"));
        ActiveMigrationException e = assertThrows(ActiveMigrationException.class,
                () -> store.setMode("alice", "srv-12", Mode.OPEN, null, null, null));
        assertEquals("mig-1", e.migrationId());
        assertThrows(ActiveMigrationException.class, () -> store.setBackends("alice", "srv-12", other, List.of()));
        assertThrows(ActiveMigrationException.class, () -> store.putGroup("alice", Group.of("srv-12", other)));
        assertEquals(version, store.version(), "a refused change changes nothing");
        assertEquals(Mode.READ_ONLY, group("srv-12").mode());
        assertEquals(List.of(Backend.parse("10.0.0.1:80")), group("srv-12").backends());

        store.setMode("alice", "srv-13", Mode.READ_ONLY, null, null, null); // another group is not held
        assertTrue(migrations.apply("d", "mig-1", Set.of(AWAITING_COPY), null, new MigrationChange().state(ABORTED)
                .reopen().finish()));
        store.setMode("alice", "srv-12", Mode.MAINTENANCE, null, null, null);
        assertEquals(Mode.MAINTENANCE, group("srv-12").mode());
    }

    private Group group(String name) {
        return store.group(name).orElseThrow();
    }
}
