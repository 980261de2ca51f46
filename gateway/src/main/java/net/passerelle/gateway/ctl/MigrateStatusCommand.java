package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ctl migrate status [ID|GROUP]}: one migration's steps with their times and outcomes, and what comes next. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "A migration's steps (start, end, outcome), read-only time and report; default: the one in progress, else the latest.")
final class MigrateStatusCommand extends CtlSubcommand {
    @Parameters(arity = "0..1", paramLabel = "ID|GROUP",
            description = "a migration id, or a group (its migration in progress, else its latest); default: the one in progress, else the latest")
    String target;

    @Override
    int run(AdminClient client) {
        JsonNode v = MigrationTarget.resolve(client, target, true);
        if (json()) {
            out().println(v);
            out().flush();
            return Exit.APPLIED;
        }
        out().println(v.path("id").asText() + "  " + v.path("state").asText() + "  " + MigrationText.route(v));
        String readOnly = MigrationText.readOnly(v);
        out().println("created " + v.path("createdAt").asText() + ", updated " + v.path("updatedAt").asText()
                + (readOnly == null ? "" : "; " + readOnly + " (since " + v.path("readOnlySince").asText() + ")"));
        out().println();
        MigrationText.steps(v, out());
        out().println();
        JsonNode report = v.get("report");
        if (report != null && report.isObject() && !v.path("state").asText().equals("verification-failed")) {
            VerificationReport.print(report, out());
        }
        String spool = MigrationText.spool(v.get("spool"));
        if (spool != null) {
            out().println("queued writes: " + spool);
        }
        new MigrationEnd(out(), ctl().again()).explain(v, true);
        return Exit.APPLIED;
    }
}
