package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import net.passerelle.gateway.Main;
import net.passerelle.gateway.testing.OpsGateway;
import net.passerelle.gateway.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code passerelle ctl} against a real gateway and admin API: tables, {@code --json}, exit codes, token sources. */
class CtlTest {
    @TempDir
    static Path dir;
    static OpsGateway ops;

    @BeforeAll
    static void start() throws Exception {
        ops = new OpsGateway(dir, OpsGateway::quickConfirmation);
    }

    @AfterAll
    static void stop() {
        ops.close();
    }

    record Run(int code, String out, String err) {
        JsonNode json() throws Exception {
            return OpsGateway.JSON.readTree(out);
        }

        boolean hasLine(String... parts) {
            return out.lines().anyMatch(l -> java.util.Arrays.stream(parts).allMatch(l::contains));
        }
    }

    static Run ctl(Map<String, String> env, String... args) {
        CtlCommand command = new CtlCommand();
        command.environment = env::get;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(command).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Run ctl(String... args) {
        return ctlAt(ops, args);
    }

    /** ctl against {@code gateway}, with its admin URL and token on the command line. */
    static Run ctlAt(OpsGateway gateway, String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--admin";
        all[1] = gateway.adminUrl();
        all[2] = "--token";
        all[3] = OpsGateway.TOKEN;
        System.arraycopy(args, 0, all, 4, args.length);
        return ctl(Map.of(), all);
    }

    @Test
    void theJarRunsCtlAsASubcommand() {
        StringWriter out = new StringWriter();
        int code = new CommandLine(new Main()).setOut(new PrintWriter(out, true))
                .execute("ctl", "--admin", ops.adminUrl(), "--token", OpsGateway.TOKEN, "groups");
        assertEquals(0, code);
        assertTrue(out.toString().contains("srv-12"), out.toString());
    }

    @Test
    void statusShowsEveryGroupWithItsModeAndTheFleet() {
        Run r = ctl("status");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("1 live gateway(s), 1 up to date"), r.out());
        String bob = r.out().lines().filter(l -> l.startsWith("srv-13")).findFirst().orElseThrow();
        assertTrue(bob.contains("read-only") && bob.contains("reject"), bob);
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("GROUP") && l.contains("QUEUED")), r.out());
    }

    @Test
    void jsonIsTheApisDocumentUnchanged() throws Exception {
        Run r = ctl("groups", "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(ops.admin("GET", "/v1/groups", null).json().path("groups"), r.json().path("groups"));
        Run hosts = ctl("--json", "hosts", "--group", "srv-13");
        assertEquals(OpsGateway.BOB, hosts.json().path("hosts").get(0).path("host").asText());
        Run status = ctl("status", "--json");
        assertEquals(1, status.json().path("gateways").path("gateways").size());
    }

    @Test
    void modeWaitsForTheFleetAndTheGatewayEnforcesIt() throws Exception {
        Run r = ctl("mode", "srv-12", "read-only", "--writes", "reject", "--retry-after", "60", "--as", "alice@ops", "--json");
        try {
            assertEquals(Exit.APPLIED, r.code(), r.err() + r.out());
            assertEquals("read-only", r.json().path("mode").asText());
            assertEquals(503, ops.post(OpsGateway.ALICE).status());
            Run audit = ctl("audit", "--limit", "5");
            assertTrue(audit.out().lines().anyMatch(l -> l.contains("alice@ops") && l.contains("srv-12")), audit.out());
        } finally {
            assertEquals(0, ctl("mode", "srv-12", "open").code());
        }
    }

    @Test
    void aGatewayThatDoesNotConfirmMakesExitCodeThree() {
        // A second gateway that is live (it just heartbeated) but never applies anything.
        ops.gateway.storeSync().store().heartbeat("laggard", 0, "test");
        try {
            Run r = ctl("window", "srv-13", "--start", "2030-01-01T08:00:00Z", "--end", "2030-01-01T09:00:00Z",
                    "--mode", "maintenance");
            assertEquals(Exit.PARTIAL, r.code(), r.err() + r.out());
            assertTrue(r.out().contains("NOT confirmed by: laggard"), r.out());
            Run again = ctl("window", "srv-13", "--start", "2030-01-02T08:00:00Z", "--end", "2030-01-02T09:00:00Z",
                    "--mode", "maintenance");
            assertTrue(again.out().contains("(it replaces maintenance"), "a replaced window is said: " + again.out());
        } finally {
            ops.gateway.storeSync().store().forgetGateway("laggard");
            assertEquals(0, ctl("window", "srv-13", "--cancel").code());
        }
    }

    /** A lost gateway is named by every change until forgotten; ctl shows its state and forgets it (not a live one). */
    @Test
    void aLostGatewayIsListedAndCanBeForgottenButNotALiveOne() {
        var store = ops.gateway.storeSync().store();
        store.renewLease("crashed-gw", 0, null, java.time.Duration.ofSeconds(30));
        store.releaseLease("crashed-gw"); // stopped; a lost one is the same to forget
        Run list = ctl("gateways");
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("crashed-gw") && l.contains("stopped")), list.out());
        Run forgot = ctl("gateways", "forget", "crashed-gw");
        assertEquals(0, forgot.code(), forgot.err());
        assertTrue(forgot.out().contains("forgot crashed-gw (it was stopped)"), forgot.out());
        assertFalse(ctl("gateways").out().contains("crashed-gw"));
        assertEquals(Exit.REFUSED, ctl("gateways", "forget", "crashed-gw").code(), "already forgotten: 404");
        String self = list.out().lines().filter(l -> l.contains("up-to-date")).findFirst().orElseThrow().split(" ")[0];
        Run live = ctl("gateways", "forget", self);
        assertEquals(Exit.REFUSED, live.code());
        assertTrue(live.err().contains("is live"), live.err());
    }

    @Test
    void refusalsUsageAndUnreachableHaveTheirOwnCodes() {
        Run bad = ctl("mode", "srv-12", "sideways");
        assertEquals(Exit.REFUSED, bad.code());
        assertTrue(bad.err().contains("bad value"), bad.err());
        assertEquals(Exit.REFUSED, ctl("groups", "no-such-group").code());
        assertEquals(Exit.USAGE, ctl("mode").code());
        assertEquals(Exit.USAGE, ctl("window", "srv-12", "--cancel", "--start", "2030-01-01T08:00:00Z").code());
        // Port 1 (tcpmux) is reserved and served by nothing here: a connection there is refused at once.
        Run down = ctl(Map.of(), "--admin", "http://127.0.0.1:1", "status");
        assertEquals(Exit.FAILURE, down.code());
        assertTrue(down.err().contains("cannot reach the admin API"), down.err());
    }

    @Test
    void theTokenComesFromTheEnvironmentThenTheTokenFile() throws Exception {
        assertEquals(Exit.REFUSED, ctl(Map.of(), "--admin", ops.adminUrl(), "--token-file", write("wrong").toString(), "gateways").code());
        assertEquals(0, ctl(Map.of(), "--admin", ops.adminUrl(), "--token-file", write(OpsGateway.TOKEN + "\n").toString(), "gateways").code());
        assertEquals(0, ctl(Map.of("PASSERELLE_ADMIN_TOKEN", OpsGateway.TOKEN), "--admin", ops.adminUrl(),
                "--token-file", write("wrong").toString(), "gateways").code());
        // --config: the admin address and the token file come from the gateway's configuration.
        Path file = write(OpsGateway.TOKEN);
        Path yml = dir.resolve("ctl.yml");
        Files.writeString(yml, "admin:\n  listen: \"127.0.0.1:" + ops.gateway.adminAddress().getPort() + "\"\n"
                + "  tokenFile: \"" + file + "\"\n");
        Run r = ctl(new HashMap<>(), "--config", yml.toString(), "gateways");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("gw-ops"), r.out());
    }

    @Test
    void withNoTokenAnywhereCtlSaysWhereItLookedInsteadOfTheApisRefusal() throws Exception {
        Path absent = dir.resolve("no-such-dir").resolve("admin-token");
        Path yml = dir.resolve("no-token.yml");
        Files.writeString(yml, "admin:\n  listen: \"127.0.0.1:" + ops.gateway.adminAddress().getPort() + "\"\n"
                + "  tokenFile: \"" + absent + "\"\n");
        Run r = ctl(new HashMap<>(), "--config", yml.toString(), "status");
        assertEquals(Exit.REFUSED, r.code(), r.err());
        assertTrue(r.err().contains("no token") && r.err().contains(absent.toString()) && r.err().contains("--token"),
                r.err());
        assertFalse(r.err().contains("header is required"), r.err());
        Run wrong = ctl(Map.of(), "--admin", ops.adminUrl(), "--token", "wrong", "status");
        assertEquals(Exit.REFUSED, wrong.code());
        assertFalse(wrong.err().contains("no token"), "a token was sent: the API's refusal is the news: " + wrong.err());
    }

    private static Path write(String token) throws Exception {
        Path f = Files.createTempFile(dir, "token", "");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(f, token);
        return f;
    }

    @Test
    void cutoverPrintsTheVerificationReportAndIsRefusedWhenItFails() {
        Run refused = ctl("cutover", "srv-12", "--backend", "127.0.0.1:1");
        assertEquals(Exit.REFUSED, refused.code(), refused.err());
        assertTrue(refused.out().contains("FAILED"), refused.out());
        String row = refused.out().lines().filter(l -> l.startsWith(OpsGateway.ALICE)).findFirst().orElseThrow();
        assertTrue(row.contains("127.0.0.1:1") && row.contains("fail"), row);
        assertTrue(refused.err().contains("verification failed"), refused.err());

        Run ok = ctl("cutover", "srv-12", "--backend", ops.backend.hostPort(), "--progress");
        assertEquals(Exit.APPLIED, ok.code(), ok.err() + ok.out());
        assertTrue(ok.out().contains("passed") && ok.out().contains("switched to"), ok.out());
        assertTrue(ok.err().contains("verifying the new backends of srv-12"), "the progress line: " + ok.err());
    }

    @Test
    void spoolListReplayAndDiscard() throws Exception {
        assertEquals(0, ctl("mode", "srv-12", "read-only", "--writes", "queue").code());
        String ref;
        try {
            RawHttp.Response queued = ops.post(OpsGateway.ALICE);
            assertEquals(202, queued.status());
            Run list = ctl("spool", "list", "srv-12", "--json");
            assertEquals(0, list.code(), list.err());
            JsonNode entry = list.json().path("entries").get(list.json().path("entries").size() - 1);
            ref = entry.path("ref").asText();
            assertEquals("pending", entry.path("status").asText());
            Run table = ctl("spool", "list", "srv-12");
            assertTrue(table.out().lines().anyMatch(l -> l.startsWith(ref) && l.contains("POST") && l.contains("/comments.php")), table.out());
            Run discard = ctl("spool", "discard", "srv-12", ref);
            assertEquals(0, discard.code(), discard.err());
            assertTrue(discard.out().contains("discarded " + ref));
            assertEquals(Exit.REFUSED, ctl("spool", "discard", "srv-12", ref).code());
            Run requeue = ctl("spool", "requeue", "srv-12", ref);
            assertEquals(Exit.REFUSED, requeue.code(), "only a failed-final entry goes back: " + requeue.err());
            assertTrue(requeue.err().contains("not failed-final"), requeue.err());
        } finally {
            assertEquals(0, ctl("mode", "srv-12", "open").code());
        }
        Run replay = ctl("spool", "replay", "srv-12");
        assertEquals(0, replay.code(), replay.err());
        assertFalse(replay.out().isBlank());
    }

    @Test
    void replayingAGroupThatIsNotOpenNamesCtlsOwnFlagAndTheFlagForces() throws Exception {
        assertEquals(0, ctl("mode", "srv-12", "read-only", "--writes", "queue").code());
        try {
            Run refused = ctl("spool", "replay", "srv-12");
            assertEquals(Exit.REFUSED, refused.code(), refused.err());
            assertTrue(refused.err().contains("srv-12 is still read-only") && refused.err().contains("--force"),
                    refused.err());
            assertFalse(refused.err().contains("{\"force\""), "the API's body is not ctl's to ask for: " + refused.err());
            Run json = ctl("spool", "replay", "srv-12", "--json");
            assertEquals(Exit.REFUSED, json.code());
            assertTrue(json.json().path("detail").asText().contains("{\"force\": true}"), "--json is the API's answer");
            Run forced = ctl("spool", "replay", "srv-12", "--force");
            assertEquals(Exit.APPLIED, forced.code(), forced.err());
            assertTrue(forced.out().startsWith("replay "), forced.out());
        } finally {
            assertEquals(0, ctl("mode", "srv-12", "open").code());
        }
    }
}
