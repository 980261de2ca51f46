package net.passerelle.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17, "the admin API killed ({@code kill -9}) at each step in turn and resumed by a second one". For each step,
 * gw-a (a JVM of its own, see {@link MigrationFleet}) drives the migration into it and is held there; the test kills
 * it with {@code kill -9}; gw-b, a second gateway on the same MariaDB, takes the lock over once it has lapsed, finds
 * the migration still in that step, and takes it to {@code done}. How gw-a is held in each step, by a condition the
 * test releases rather than by timing:
 * <ul>
 *   <li>{@code read-only}: gw-c, a third gateway with a 30 s lease, is frozen ({@code kill -STOP}) before the
 *       migration starts. The group is read-only in the store, and the fleet's confirmation waits for gw-c, whose
 *       lease is valid; gw-c is thawed once gw-b holds the lock.</li>
 *   <li>{@code awaiting-copy}, {@code verification-failed}: the driver waits for ops by design; gw-b's API is the one
 *       that gets the {@code continue} (after a failed verification, with the new server fixed).</li>
 *   <li>{@code verifying}: the new server holds its answers to the verification ({@link HeldAnswers}) until gw-b
 *       holds the lock. This case also queues a write on gw-a, which is replayed when gw-a comes back.</li>
 *   <li>{@code cutover}: gw-c is frozen before {@code continue}: the group's backends are switched in the store and
 *       the confirmation waits for gw-c.</li>
 *   <li>{@code open}: as for cutover; then the test locks the migration's row ({@code SELECT … FOR UPDATE}), thaws
 *       gw-c until it has applied the cutover, freezes it again and lets the row go: gw-a moves to open, opens the
 *       group and waits for gw-c, which has the cutover but not the opening.</li>
 *   <li>{@code replaying}: the new server holds its answer to the write gw-b replays; gw-b publishes it as still
 *       waiting, and gw-a's replaying step waits for it.</li>
 * </ul>
 * Each hold is after the step's effect on the group, when it has one, is in the store and before its move to the
 * next (a driver that repeated the effect on resuming would add a second audit entry). Not killed in:
 * {@code scheduled}, which has no effect of its own (without a start time the driver leaves it in the bout that
 * claims the migration), and the ends {@code done} and {@code aborted}. Then, from the store and the servers: exactly one
 * {@code group.backends} and two {@code group.mode} (read-only, then open) in the audit; each step recorded once
 * (verifying twice around {@code verification-failed}); the step gw-a was killed in finished by gw-b; the group open
 * on the new server with its own write policy ({@code reject}); the write queued on gw-b received once by the new
 * server, and no queued write ever by the old one.
 */
class MigrationKillTest {
    private static final List<String> STEPS = List.of("scheduled:done", "read-only:done", "awaiting-copy:done",
            "verifying:done", "cutover:done", "open:done", "replaying:done", "done:done");

    @TempDir
    Path dir;
    private MigrationFleet fleet;
    private String id;
    private String refB;
    private String refA;
    private HeldAnswers held;

    @AfterEach
    void stop() throws Exception {
        if (fleet != null) {
            fleet.close();
        }
    }

    /** The step gw-a is killed in: how it is held there, and how the hold is let go once gw-b has the lock. */
    enum Step {
        READ_ONLY("read-only", "read-only", true) {
            @Override
            void hold(MigrationKillTest t) {
                // Frozen before the migration was created (see the test): nothing more to do.
            }

            @Override
            void release(MigrationKillTest t) throws Exception {
                super.release(t);
                t.awaitState("awaiting-copy");
                t.continueOnB();
            }
        },
        AWAITING_COPY("awaiting-copy", "verifying", false) {
            @Override
            void hold(MigrationKillTest t) {
                // The driver waits for ops by design.
            }

            @Override
            void release(MigrationKillTest t) throws Exception {
                t.continueOnB();
            }
        },
        VERIFYING("verifying", "verifying", false) {
            @Override
            void hold(MigrationKillTest t) throws Exception {
                MigrationFleet f = t.fleet;
                t.refA = MigrationFleet.queue(f.listenerA());
                f.await("gw-a publishing its queued write", () -> f.info("gw-a").contains("spool-waiting=srv-12:1"));
                t.continueOnAHeldIn("verifying", s -> s.header("idempotency-key") == null);
            }

            @Override
            void release(MigrationKillTest t) {
                t.held.open();
            }
        },
        VERIFICATION_FAILED("verification-failed", "verifying", false) {
            @Override
            void hold(MigrationKillTest t) throws Exception {
                t.fleet.newServer.respondWith(MigrationFleet.DEFAULT_PAGE);
                t.continueOnA();
                t.awaitState("verification-failed");
            }

            @Override
            void release(MigrationKillTest t) throws Exception {
                t.fleet.newServer.respondWith(MigrationFleet.NEW_PAGE);
                t.continueOnB();
            }
        },
        CUTOVER("cutover", "cutover", true) {
            @Override
            void hold(MigrationKillTest t) throws Exception {
                MigrationFleet f = t.fleet;
                f.witness().signal("STOP");
                t.continueOnA();
                f.await("gw-a in cutover, the group on the new server in the store", () -> "cutover".equals(f.state(t.id))
                        && f.groupBackends().equals(List.of(f.newServer.hostPort())));
            }
        },
        OPEN("open", "open", true) {
            @Override
            void hold(MigrationKillTest t) throws Exception {
                MigrationFleet f = t.fleet;
                CUTOVER.hold(t);
                long cutover = f.tableVersion();
                // gw-a cannot leave cutover while the row is held: gw-c applies the cutover, and only the cutover.
                MigrationFleet.RowLock row = f.holdRow(t.id);
                try {
                    f.witness().signal("CONT");
                    f.await("gw-c applying the cutover", () -> f.appliedVersion("gw-c") >= cutover);
                    f.witness().signal("STOP");
                } finally {
                    row.release();
                }
                f.await("gw-a in open, the group open in the store", () -> "open".equals(f.state(t.id))
                        && "open".equals(f.groupMode()) && f.tableVersion() > cutover);
            }
        },
        REPLAYING("replaying", "replaying", false) {
            @Override
            void hold(MigrationKillTest t) throws Exception {
                String ref = t.refB;
                t.continueOnAHeldIn("replaying", s -> ref.equals(s.header("idempotency-key")));
            }

            @Override
            void release(MigrationKillTest t) {
                t.held.open();
            }
        };

        final String state;
        /** The step whose end gw-b must have written: the one killed, or the next when ops end it. */
        final String endedByB;
        final boolean witness;

        Step(String state, String endedByB, boolean witness) {
            this.state = state;
            this.endedByB = endedByB;
            this.witness = witness;
        }

        /**
         * Takes gw-a into the step and returns while it is held there; called with the group read-only, a write
         * queued on gw-b, and (but for read-only) the migration in awaiting-copy.
         */
        abstract void hold(MigrationKillTest t) throws Exception;

        /**
         * Lets the step go on, now that gw-b holds the lock, and does what ops do in gw-b's API to finish; unless a
         * step says otherwise, that is thawing gw-c.
         */
        void release(MigrationKillTest t) throws Exception {
            t.fleet.witness().signal("CONT");
        }
    }

    @ParameterizedTest(name = "killed in {0}")
    @EnumSource(Step.class)
    void aDriverKilledInAStepIsResumedByAnotherGatewayWithoutRepeatingIt(Step step) throws Exception {
        fleet = MigrationFleet.start(dir, step.witness);
        if (step == Step.READ_ONLY) {
            fleet.witness().signal("STOP");
        }
        JsonNode created = fleet.callA("POST", "/v1/migrations", "{\"group\": \"srv-12\", \"to\": {\"backends\": [\""
                + fleet.newServer.hostPort() + "\"]}, \"writes\": \"queue\"}", 201);
        id = created.get("id").asText();
        fleet.await("gw-a holds the migration, the group read-only", () -> "gw-a".equals(fleet.lockOwner(id))
                && "read-only".equals(fleet.groupMode()));
        fleet.startB();
        refB = MigrationFleet.queue(fleet.listenerB());
        fleet.await("gw-b publishing its queued write", () -> fleet.info("gw-b").contains("spool-waiting=srv-12:1"));

        if (step != Step.READ_ONLY) {
            awaitState("awaiting-copy");
        }
        step.hold(this);
        assertEquals(step.state, fleet.state(id));
        assertEquals("gw-a", fleet.lockOwner(id));
        fleet.killA();
        fleet.await("gw-b taking the lock over", () -> "gw-b".equals(fleet.lockOwner(id)));
        assertEquals(step.state, fleet.state(id), "gw-b resumes the step gw-a was killed in");
        step.release(this);
        fleet.await("gw-b finishing the migration", () -> "done".equals(fleet.state(id)));

        assertNothingRepeated(step);
        assertWritesDelivered();
        if (refA != null) {
            assertGwAReplaysWhenBack();
        }
    }

    /** One cutover, one read-only and one opening; each step once; the group where the migration said. */
    private void assertNothingRepeated(Step step) throws Exception {
        List<String> expected = new ArrayList<>(STEPS);
        if (step == Step.VERIFICATION_FAILED) {
            expected.set(3, "verifying:failed");
            expected.addAll(4, List.of("verification-failed:done", "verifying:done"));
        }
        assertEquals(expected, fleet.steps(id));
        assertEquals(1, fleet.auditCount("group.backends"), "one cutover");
        assertEquals(2, fleet.auditCount("group.mode"), "read-only once, open again once");
        assertEquals("migration driver gw-b", fleet.endedBy(step.endedByB));
        assertEquals("migration driver gw-b", fleet.endedBy("replaying"));
        assertEquals("open", fleet.groupMode());
        assertEquals("reject", fleet.groupWrites(), "the group's own write policy (the seed's) back, not queue");
        assertEquals(List.of(fleet.newServer.hostPort()), fleet.groupBackends());
    }

    private void assertWritesDelivered() throws Exception {
        JsonNode done = fleet.callB("GET", "/v1/migrations/" + id, null, 200);
        assertEquals(1, done.get("spool").get("delivered").asInt(), done.toString());
        assertEquals(1, MigrationFleet.received(fleet.newServer, refB), "gw-b's write received once by the new server");
        assertTrue(fleet.oldServer.all().stream().noneMatch(s -> s.header("idempotency-key") != null),
                "no queued write reached the old server");
        assertTrue(MigrationFleet.read(fleet.listenerB()).contains("new"));
    }

    /** gw-a comes back: what it acknowledged before it was killed is replayed from its disk, to the new server, once. */
    private void assertGwAReplaysWhenBack() throws Exception {
        JsonNode done = fleet.callB("GET", "/v1/migrations/" + id, null, 200);
        assertEquals(1, done.get("spool").get("waitingOnUnreachable").get("gw-a").asInt(), done.toString());
        fleet.restartA();
        fleet.await("gw-a's queued write replayed", () -> MigrationFleet.received(fleet.newServer, refA) > 0);
        assertEquals(1, MigrationFleet.received(fleet.newServer, refA));
        assertTrue(fleet.oldServer.all().stream().noneMatch(s -> s.header("idempotency-key") != null));
    }

    private void awaitState(String state) {
        fleet.await("the migration in " + state, () -> state.equals(fleet.state(id)));
    }

    private void continueOnA() throws Exception {
        fleet.callA("POST", "/v1/migrations/" + id + "/continue", null, 200);
    }

    /** Continues on gw-a, the new server holding back the answers {@code which} matches, until gw-a waits for one. */
    private void continueOnAHeldIn(String state, Predicate<StubBackend.Seen> which) throws Exception {
        held = new HeldAnswers(MigrationFleet.NEW_PAGE, which);
        fleet.newServer.respondWith(held);
        continueOnA();
        fleet.await("gw-a in " + state + ", the new server holding its answer", () -> held.held() > 0
                && state.equals(fleet.state(id)));
    }

    private void continueOnB() throws Exception {
        fleet.callB("POST", "/v1/migrations/" + id + "/continue", null, 200);
    }
}
