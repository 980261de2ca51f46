package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import net.passerelle.gateway.testing.OpsGateway;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ctl migrate} against a real gateway and admin API: the migration morning in two commands (create, then
 * continue once the data is copied) with a write queued in between that reaches the new backend once, and a failed
 * verification that leaves the group on its old backend until an abort reopens it there.
 */
class CtlMigrateTest {
    private static final String DEFAULT_PAGE = "<!DOCTYPE html><html><head><title>Apache2 Debian Default Page: It works</title>"
            + "</head><body>Apache2 Debian Default Page</body></html>";
    @TempDir
    static Path dir;
    static OpsGateway ops;
    static StubBackend next;
    static StubBackend misconfigured;

    @BeforeAll
    static void start() throws Exception {
        ops = new OpsGateway(dir, OpsGateway::quickConfirmation);
        next = new StubBackend();
        next.respondWith(StubBackend.text("hello from the backend"));
        misconfigured = new StubBackend();
        misconfigured.respondWith(StubBackend.html(DEFAULT_PAGE));
    }

    @AfterAll
    static void stop() {
        ops.close();
        next.close();
        misconfigured.close();
    }

    static CtlTest.Run ctl(String... args) {
        return CtlTest.ctlAt(ops, args);
    }

    private static JsonNode group(String name) throws Exception {
        return ops.admin("GET", "/v1/groups/" + name, null).json();
    }

    @Test
    void theMorningIsOneCommandThenContinueOnceTheDataIsCopied() throws Exception {
        CtlTest.Run created = ctl("migrate", "srv-12", "--to", next.hostPort(), "--writes", "queue", "--max-read-only", "15m");
        assertEquals(Exit.APPLIED, created.code(), created.err() + created.out());
        assertTrue(created.hasLine("read-only", "done"), created.out());
        assertTrue(created.hasLine("awaiting-copy", "started"), created.out());
        String id = created.out().lines().filter(l -> l.startsWith("created ")).findFirst().orElseThrow().split("[ ,]")[1];
        assertTrue(created.hasLine("copy the data, then: passerelle ctl --admin " + ops.adminUrl() + " migrate continue " + id), created.out());
        assertEquals("read-only", group("srv-12").path("effectiveMode").asText(), "read-only fleet-wide before it answers");
        assertEquals(202, ops.post(OpsGateway.ALICE).status(), "a write during the copy is queued");

        CtlTest.Run second = ctl("migrate", "srv-12", "--to", misconfigured.hostPort());
        assertEquals(Exit.REFUSED, second.code(), second.err() + second.out());
        assertTrue(second.err().contains("see it: passerelle ctl --admin " + ops.adminUrl() + " migrate status " + id), second.err());

        CtlTest.Run fleet = ctl("status");
        assertTrue(fleet.hasLine(id, "srv-12", "awaiting-copy", "of 15m 0s", next.hostPort()), "ctl status lists it: " + fleet.out());

        CtlTest.Run status = ctl("migrate", "status");
        assertEquals(0, status.code(), status.err());
        assertTrue(status.hasLine("awaiting-copy", "running"), status.out());
        assertTrue(status.hasLine("read-only for", "(at most 15m 0s)"), status.out());

        CtlTest.Run done = ctl("migrate", "continue", "srv-12");
        assertEquals(Exit.APPLIED, done.code(), done.err() + done.out());
        for (String step : List.of("awaiting-copy", "verifying", "cutover", "open", "replaying")) {
            assertTrue(done.hasLine(step, "done"), step + " in " + done.out());
        }
        assertFalse(done.hasLine("read-only", "done"), "what happened before the continue is not printed again: " + done.out());
        assertTrue(done.hasLine("srv-12 migrated: open on " + next.hostPort()), done.out());
        assertEquals(next.hostPort(), group("srv-12").path("backends").get(0).path("address").asText());
        assertEquals("open", group("srv-12").path("effectiveMode").asText());
        List<StubBackend.Seen> replayed = next.all().stream().filter(s -> s.method().equals("POST")).toList();
        assertEquals(1, replayed.size(), "the queued write reached the new backend once: " + replayed);
        assertTrue(ops.backend.all().stream().noneMatch(s -> s.method().equals("POST")), "and never the old one");
        assertTrue(ctl("migrate", "list").hasLine(id, "srv-12", "done"));
    }

    @Test
    void aFailedVerificationKeepsTheGroupOnItsOldBackendsAndAbortReopensItThere() throws Exception {
        assertEquals(200, ops.admin("PUT", "/v1/groups/srv-14", "{\"backends\": [\"" + ops.backend.hostPort() + "\"]}").status());
        assertEquals(200, ops.admin("PUT", "/v1/hosts/dave.gallery.example", "{\"group\": \"srv-14\", \"account\": \"dave\"}").status());
        CtlTest.Run dry = ctl("migrate", "srv-14", "--to", misconfigured.hostPort(), "--dry-run");
        assertEquals(Exit.REFUSED, dry.code(), dry.err() + dry.out());
        assertTrue(dry.hasLine("dave.gallery.example", misconfigured.hostPort(), "default page"), dry.out());

        assertEquals(Exit.APPLIED, ctl("migrate", "srv-14", "--to", misconfigured.hostPort(), "--writes", "reject").code());
        CtlTest.Run failed = ctl("migrate", "continue", "srv-14");
        assertEquals(Exit.REFUSED, failed.code(), failed.err() + failed.out());
        assertTrue(failed.hasLine("verifying", "failed"), failed.out());
        assertTrue(failed.hasLine("- ", "dave.gallery.example", "Apache2 Debian Default Page"), failed.out());
        assertTrue(failed.hasLine("stays read-only on its old backends " + ops.backend.hostPort()), failed.out());
        String again = "passerelle ctl --admin " + ops.adminUrl() + " migrate ";
        assertTrue(failed.hasLine(again + "continue mig-") && failed.hasLine(again + "abort mig-"), failed.out());
        assertEquals(ops.backend.hostPort(), group("srv-14").path("backends").get(0).path("address").asText());
        assertEquals("read-only", group("srv-14").path("effectiveMode").asText());

        CtlTest.Run abort = ctl("migrate", "abort", "srv-14");
        assertEquals(Exit.APPLIED, abort.code(), abort.err() + abort.out());
        assertTrue(abort.hasLine("aborted: srv-14 is open on its old backends " + ops.backend.hostPort()), abort.out());
        assertEquals("open", group("srv-14").path("effectiveMode").asText());
        assertEquals(ops.backend.hostPort(), group("srv-14").path("backends").get(0).path("address").asText());
        assertEquals(Exit.REFUSED, ctl("migrate", "continue", "srv-14").code(), "nothing in progress for srv-14 any more");
    }
}
