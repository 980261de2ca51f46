package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ctl migrate GROUP --to HOST:PORT… [--writes queue|reject] [--max-read-only 15m] [--start T] [--dry-run]}:
 * the migration morning in one call ({@code POST /v1/migrations}), then its steps as they happen, up to the state
 * where the operator acts (the data copy), or its end.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        // One string: the parent's list of commands shows a description's first element only.
        description = "Migrate a group to new backends: read-only fleet-wide, wait for the data copy, verify, cut over,"
                + " open, replay the queued writes. Follows the steps as they happen, and stops where the operator acts.",
        subcommands = {MigrateActions.Continue.class, MigrateActions.Abort.class, MigrateActions.Follow.class,
                MigrateStatusCommand.class, MigrateListCommand.class},
        footer = {"", "Exit codes: 0 done, or waiting for the operator (awaiting-copy, a scheduled start); 4 refused, a failed",
                "verification (the group stays on its old backends), or aborted by someone else; 1 the admin API went away."})
final class MigrateCommand extends CtlSubcommand {
    static final Set<String> STOPS = Set.of("awaiting-copy", "verification-failed", "done", "aborted");
    private static final Pattern DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s?)?");

    @Parameters(index = "0", arity = "0..1", paramLabel = "GROUP", description = "the group to migrate")
    String group;

    @Option(names = "--to", split = ",", paramLabel = "HOST:PORT", description = "the new backends (repeat, or a comma list)")
    List<String> to;

    @Option(names = "--spare", split = ",", paramLabel = "HOST:PORT", description = "the new spares")
    List<String> spares;

    @Option(names = "--writes", paramLabel = "POLICY", defaultValue = "queue",
            description = "while read-only: queue (202, replayed to the new backends) or reject (503); default ${DEFAULT-VALUE}")
    String writes;

    @Option(names = "--max-read-only", paramLabel = "DURATION",
            description = "how long the group may stay read-only before the alert (e.g. 15m, 1h30m, 900s); nothing opens by itself")
    String maxReadOnly;

    @Option(names = "--start", paramLabel = "INSTANT", description = "when to go read-only (UTC, e.g. 2026-11-22T08:00:00Z); default now")
    String start;

    @Option(names = "--path", paramLabel = "PATH", description = "the path the verification requests on every host")
    String path;

    @Option(names = "--dry-run", description = "verify the new backends only, print the report; nothing changes")
    boolean dryRun;

    @Option(names = "--no-follow", description = "create it and return, without following its steps")
    boolean noFollow;

    @Override
    int run(AdminClient client) {
        Map<String, Object> body = body();
        AdminClient.Answer a = client.call("POST", "v1/migrations", body);
        if (dryRun) {
            return dryRun(a);
        }
        if (a.status() != 201) {
            int code = failed(a, false);
            if (!json() && a.status() == 409 && a.json() != null && a.json().hasNonNull("migration")) {
                err().println("see it: " + ctl().again() + "migrate status " + a.json().path("migration").asText());
                err().flush();
            }
            return code;
        }
        JsonNode created = a.json();
        String id = created.path("id").asText();
        out().println(json() ? a.body() : "created " + id + ", " + MigrationText.route(created));
        out().flush();
        if (noFollow) {
            return Exit.APPLIED;
        }
        MigrationFollower follower = new MigrationFollower(client, out(), json(), null, ctl().again());
        JsonNode last = follower.follow(id, follower.stopAt(STOPS).or(this::scheduledForLater));
        return json() ? MigrationEnd.exitCode(last, false) : new MigrationEnd(out(), ctl().again()).explain(last, false);
    }

    private Map<String, Object> body() {
        if (group == null) {
            throw new CtlException(Exit.USAGE, "which group? ctl migrate GROUP --to HOST:PORT (or a subcommand: continue, abort,"
                    + " follow, status, list)");
        }
        if (to == null || to.isEmpty()) {
            throw new CtlException(Exit.USAGE, "--to HOST:PORT is required: the new backends of " + group);
        }
        if (!writes.equals("queue") && !writes.equals("reject")) {
            throw new CtlException(Exit.USAGE, "--writes is queue or reject, not '" + writes + "'");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("group", group);
        body.put("to", Map.of("backends", to, "spares", spares == null ? List.of() : spares));
        body.put("writes", writes);
        if (maxReadOnly != null) {
            body.put("maxReadOnlySeconds", seconds(maxReadOnly));
        }
        if (start != null) {
            try {
                body.put("start", Instant.parse(start).toString());
            } catch (DateTimeParseException e) {
                throw new CtlException(Exit.USAGE, "--start is a UTC instant such as 2026-11-22T08:00:00Z, not '" + start + "'");
            }
        }
        if (path != null) {
            body.put("path", path);
        }
        body.put("dryRun", dryRun);
        return body;
    }

    /** "15m", "1h30m", "900s" or "900" as seconds. */
    static long seconds(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (text.isBlank() || !m.matches()) {
            throw new CtlException(Exit.USAGE, "--max-read-only is a duration such as 15m, 1h30m or 900s, not '" + text + "'");
        }
        long s = 0;
        s += m.group(1) == null ? 0 : Long.parseLong(m.group(1)) * 3600;
        s += m.group(2) == null ? 0 : Long.parseLong(m.group(2)) * 60;
        s += m.group(3) == null ? 0 : Long.parseLong(m.group(3));
        return s;
    }

    /** A start asked for later: the command does not sit for hours waiting for it. */
    private boolean scheduledForLater(JsonNode v) {
        return start != null && v.path("state").asText().equals("scheduled");
    }

    private int dryRun(AdminClient.Answer a) {
        if (json()) {
            int code = printJson(a, false);
            return code == Exit.APPLIED && a.json() != null && !a.json().path("ok").asBoolean() ? Exit.REFUSED : code;
        }
        int code = failed(a, false);
        if (code >= 0) {
            return code;
        }
        JsonNode report = a.json().path("report");
        if (report.isObject()) {
            VerificationReport.print(report, out());
        }
        boolean ok = a.json().path("ok").asBoolean();
        out().println("dry run for " + group + ": the new backends " + (ok ? "pass" : "FAIL") + " verification; nothing changed.");
        if (!ok) {
            MigrationText.problems(report).forEach(p -> out().println("  - " + p));
        }
        out().flush();
        return ok ? Exit.APPLIED : Exit.REFUSED;
    }
}
