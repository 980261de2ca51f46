package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ctl migrate} against the migrations API's contract ({@link MigrationsApiStub}): the request it sends, the
 * steps it prints from the event stream one by one, where it stops, what it tells the operator to do next, and its
 * exit codes, for each way a migration can go (the real server's own paths are in {@link CtlMigrateTest}).
 */
class CtlMigrateContractTest {
    MigrationsApiStub api;

    @BeforeEach
    void start() throws Exception {
        api = new MigrationsApiStub();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    record Run(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        boolean hasLine(String... parts) {
            return out.lines().anyMatch(l -> java.util.Arrays.stream(parts).allMatch(l::contains));
        }
    }

    Run ctl(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--admin";
        all[1] = api.url();
        System.arraycopy(args, 0, all, 2, args.length);
        CtlCommand command = new CtlCommand();
        command.environment = name -> null;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(command).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(all);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void createFollowsEachStepAndStopsAtTheCopyWithTheNextCommand() {
        Run r = ctl("migrate", "srv-12", "--to", "10.0.0.13:80", "--writes", "queue", "--max-read-only", "15m");
        assertEquals(Exit.APPLIED, r.code(), r.err() + r.out());
        assertTrue(r.hasLine("created mig-1", "srv-12: 10.0.0.12:80 -> 10.0.0.13:80 (writes queue)"), r.out());
        assertTrue(r.hasLine("read-only", "started"), r.out());
        assertTrue(r.hasLine("read-only", "done", "confirmed by 1 of 1 gateway(s)"), r.out());
        assertTrue(r.hasLine("awaiting-copy", "started"), r.out());
        assertTrue(r.hasLine("copy the data, then: passerelle ctl --admin " + api.url() + " migrate continue mig-1"), r.out());
        assertTrue(r.lines().stream().filter(l -> l.contains("read-only") && l.contains("done")).count() == 1,
                "each step is printed once as it starts and once as it ends: " + r.out());
        assertTrue(r.lines().stream().anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\dZ  read-only .*")), "with its time: " + r.out());
        assertEquals(900, api.view("mig-1").path("maxReadOnlySeconds").asInt());
        assertEquals("10.0.0.13:80", api.view("mig-1").path("to").path("backends").get(0).asText());
    }

    @Test
    void continueWithoutAnArgumentTakesTheOnlyMigrationAndFollowsItToDone() {
        assertEquals(0, ctl("migrate", "srv-12", "--to", "10.0.0.13:80").code());
        Run r = ctl("migrate", "continue");
        assertEquals(Exit.APPLIED, r.code(), r.err() + r.out());
        assertTrue(api.calls.contains("POST /v1/migrations/mig-1/continue"), api.calls.toString());
        for (String step : List.of("awaiting-copy", "verifying", "cutover", "open", "replaying")) {
            assertTrue(r.hasLine(step, "done"), step + " in " + r.out());
        }
        assertTrue(!r.hasLine("read-only", "done"), "steps before the continue are not printed again: " + r.out());
        assertTrue(r.hasLine("srv-12 migrated: open on 10.0.0.13:80", "delivered 2"), r.out());
        Run status = ctl("migrate", "status", "srv-12");
        assertEquals(0, status.code(), status.err());
        assertTrue(status.hasLine("STEP", "STATUS", "STARTED", "ENDED", "TOOK", "OUTCOME"), status.out());
        assertTrue(status.hasLine("cutover", "done", "cutover ok"), status.out());
        assertEquals(Exit.REFUSED, ctl("migrate", "continue").code(), "nothing in progress any more");
    }

    @Test
    void aFailedVerificationPrintsItsProblemsAndTheTwoChoicesThenAbortReopens() {
        api.verificationPasses = false;
        assertEquals(0, ctl("migrate", "srv-12", "--to", "10.0.0.13:80").code());
        Run failed = ctl("migrate", "continue", "mig-1");
        assertEquals(Exit.REFUSED, failed.code(), failed.err() + failed.out());
        assertTrue(failed.hasLine("verifying", "failed"), failed.out());
        assertTrue(failed.hasLine("[::1]:80", "Welcome to nginx!", "fail"), "the report's table: " + failed.out());
        assertTrue(failed.hasLine("- host alice.gallery.example", "default page: Welcome to nginx!"), failed.out());
        assertTrue(failed.hasLine("stays read-only on its old backends 10.0.0.12:80"), failed.out());
        assertTrue(failed.hasLine("verify again: passerelle ctl --admin " + api.url() + " migrate continue mig-1"), failed.out());
        assertTrue(failed.hasLine("passerelle ctl --admin " + api.url() + " migrate abort mig-1"), failed.out());

        Run abort = ctl("migrate", "abort", "srv-12");
        assertEquals(Exit.APPLIED, abort.code(), abort.err() + abort.out());
        assertTrue(abort.hasLine("mig-1 aborted: srv-12 is open on its old backends 10.0.0.12:80"), abort.out());
        assertEquals("aborted", api.view("mig-1").path("state").asText());
    }

    @Test
    void aStreamThatEndsTooSoonIsFollowedAgainWithoutPrintingAStepTwice() {
        api.streamsToCut = 2;
        Run r = ctl("migrate", "srv-12", "--to", "10.0.0.13:80");
        assertEquals(Exit.APPLIED, r.code(), r.err() + r.out());
        assertEquals(3, api.calls.stream().filter(c -> c.endsWith("/events")).count(), api.calls.toString());
        assertTrue(r.hasLine("awaiting-copy", "started") && r.hasLine("copy the data, then:"), r.out());
        assertEquals(1, r.lines().stream().filter(l -> l.contains("read-only") && l.contains("done")).count(), r.out());
    }

    @Test
    void aStreamThatNeverGetsThereGivesUpWithoutTouchingTheMigration() {
        api.streamsToCut = 100;
        Run r = ctl("migrate", "srv-12", "--to", "10.0.0.13:80");
        assertEquals(Exit.FAILURE, r.code(), r.err() + r.out());
        assertTrue(r.err().contains("ended before the migration did") && r.err().contains("migrate status mig-1"), r.err());
        assertTrue(api.calls.stream().noneMatch(c -> c.endsWith("/abort") || c.endsWith("/continue")), api.calls.toString());
    }

    @Test
    void followPicksUpAMigrationCreatedWithoutFollowingAndChangesNothing() {
        assertEquals(0, ctl("migrate", "srv-12", "--to", "10.0.0.13:80", "--no-follow").code());
        Run r = ctl("migrate", "follow", "srv-12");
        assertEquals(Exit.APPLIED, r.code(), r.err() + r.out());
        assertTrue(r.hasLine("read-only", "done") && r.hasLine("awaiting-copy", "started"), r.out());
        assertTrue(r.hasLine("copy the data, then:"), r.out());
        assertTrue(api.calls.stream().noneMatch(c -> c.startsWith("POST /v1/migrations/")), api.calls.toString());
    }

    @Test
    void aSecondMigrationOfTheGroupIsRefusedWithTheOneInProgressNamed() {
        assertEquals(0, ctl("migrate", "srv-12", "--to", "10.0.0.13:80", "--no-follow").code());
        Run r = ctl("migrate", "srv-12", "--to", "10.0.0.14:80");
        assertEquals(Exit.REFUSED, r.code());
        assertTrue(r.err().contains("migration in progress"), r.err());
        assertTrue(r.err().contains("see it: passerelle ctl --admin " + api.url() + " migrate status mig-1"), r.err());
    }

    @Test
    void withoutAnArgumentSeveralMigrationsInProgressAreListedNotGuessed() {
        assertEquals(0, ctl("migrate", "srv-12", "--to", "10.0.0.13:80", "--no-follow").code());
        assertEquals(0, ctl("migrate", "srv-13", "--to", "10.0.0.23:80", "--no-follow").code());
        Run r = ctl("migrate", "abort");
        assertEquals(Exit.USAGE, r.code());
        assertTrue(r.err().contains("2 migrations are in progress; name one:") && r.err().contains("mig-1  srv-12")
                && r.err().contains("mig-2  srv-13"), r.err());
        assertTrue(api.calls.stream().noneMatch(c -> c.endsWith("/abort")), "nothing was aborted: " + api.calls);
        Run list = ctl("migrate", "list");
        assertEquals("mig-2", list.lines().get(1).split("\\s+")[0], "newest first: " + list.out());
        assertTrue(list.hasLine("mig-1", "srv-12", "10.0.0.12:80", "10.0.0.13:80"), list.out());
    }

    @Test
    void aDryRunPrintsTheReportAndChangesNothing() {
        Run ok = ctl("migrate", "srv-12", "--to", "10.0.0.13:80", "--dry-run");
        assertEquals(Exit.APPLIED, ok.code(), ok.err());
        assertTrue(ok.hasLine("verification of / (12 ms): passed") && ok.hasLine("the new backends pass verification"), ok.out());
        api.verificationPasses = false;
        Run bad = ctl("migrate", "srv-12", "--to", "10.0.0.13:80", "--dry-run");
        assertEquals(Exit.REFUSED, bad.code());
        assertTrue(bad.hasLine("FAIL verification; nothing changed") && bad.hasLine("- host alice.gallery.example"), bad.out());
        assertTrue(ctl("migrate", "list").out().contains("no migration"));
    }

    @Test
    void jsonPrintsTheCreatedMigrationThenEachViewOnALineOfItsOwn() throws Exception {
        Run r = ctl("--json", "migrate", "srv-12", "--to", "10.0.0.13:80");
        assertEquals(0, r.code(), r.err());
        List<JsonNode> views = new java.util.ArrayList<>();
        for (String line : r.lines()) {
            views.add(MigrationsApiStub.JSON.readTree(line));
        }
        assertEquals("scheduled", views.get(0).path("state").asText());
        assertEquals("awaiting-copy", views.get(views.size() - 1).path("state").asText());
        assertTrue(views.size() >= 4, "the stream's views, one by one: " + r.out());
    }

    @Test
    void badCommandLinesAreUsageErrorsAndSendNothing() {
        assertEquals(Exit.USAGE, ctl("migrate", "srv-12").code());
        assertEquals(Exit.USAGE, ctl("migrate", "srv-12", "--to", "10.0.0.13:80", "--max-read-only", "15 minutes").code());
        assertEquals(Exit.USAGE, ctl("migrate", "srv-12", "--to", "10.0.0.13:80", "--writes", "drop").code());
        assertEquals(Exit.USAGE, ctl("migrate", "srv-12", "--to", "10.0.0.13:80", "--start", "tomorrow").code());
        assertEquals(Exit.USAGE, ctl("migrate").code());
        assertTrue(api.calls.isEmpty(), api.calls.toString());
        assertEquals(5400, MigrateCommand.seconds("1h30m"));
        assertEquals(900, MigrateCommand.seconds("900s"));
        assertEquals(900, MigrateCommand.seconds("900"));
    }
}
