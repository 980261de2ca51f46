package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;

/**
 * What {@code ctl migrate} says where it stops following a migration: the state, what the operator does next (the
 * exact command), and the exit code a script tests: 0 when the migration is done or waits for the operator as planned
 * (the data copy, a scheduled start), {@value Exit#REFUSED} when it did not happen (a failed verification, an abort
 * the operator did not ask for).
 */
final class MigrationEnd {
    private final PrintWriter out;
    private final String ctl;

    /** @param again how to run ctl again against the same admin API ({@link CtlCommand#again()}) */
    MigrationEnd(PrintWriter out, String again) {
        this.out = out;
        this.ctl = again + "migrate ";
    }

    /**
     * @param abortAsked whether this command asked for the abort (then an aborted migration is what was wanted)
     */
    int explain(JsonNode v, boolean abortAsked) {
        String id = v.path("id").asText();
        String group = v.path("group").asText();
        String old = MigrationText.backends(v.path("from"));
        String readOnly = MigrationText.readOnly(v);
        switch (v.path("state").asText()) {
            case "awaiting-copy" -> {
                out.println(group + (readOnly == null ? " is read-only" : " has been " + readOnly) + " on its old backends " + old
                        + ", and waits for the data copy to " + MigrationText.backends(v.path("to")) + ".");
                out.println("copy the data, then: " + ctl + "continue " + id);
                out.println("(to give up and reopen " + group + " on its old backends: " + ctl + "abort " + id + ")");
            }
            case "verification-failed" -> verificationFailed(v, old);
            case "done" -> {
                String spool = MigrationText.spool(v.get("spool"));
                out.println(group + " migrated: open on " + MigrationText.backends(v.path("to")) + " since "
                        + v.path("updatedAt").asText() + (readOnly == null ? "" : "; it was " + readOnly)
                        + (spool == null ? "" : "; queued writes: " + spool) + ".");
            }
            case "aborted" -> out.println(id + " aborted: " + group + " is open on its old backends " + old + ".");
            case "scheduled" -> {
                out.println(id + " is scheduled: " + group + " goes read-only at " + v.path("start").asText()
                        + "; to follow it then: " + ctl + "follow " + id);
            }
            default -> out.println(id + " is in progress: " + v.path("state").asText() + "; to follow it: " + ctl + "follow " + id);
        }
        out.flush();
        return exitCode(v, abortAsked);
    }

    /** The exit code alone (for {@code --json}, where the views say the rest). */
    static int exitCode(JsonNode v, boolean abortAsked) {
        return switch (v.path("state").asText()) {
            case "verification-failed" -> Exit.REFUSED;
            case "aborted" -> abortAsked ? Exit.APPLIED : Exit.REFUSED;
            default -> Exit.APPLIED;
        };
    }

    private void verificationFailed(JsonNode v, String old) {
        String id = v.path("id").asText();
        JsonNode report = v.get("report");
        if (report != null && report.isObject()) {
            VerificationReport.print(report, out);
        }
        out.println("verification FAILED: " + v.path("group").asText() + " stays read-only on its old backends " + old
                + "; nothing was switched.");
        if (report != null && report.isObject()) {
            MigrationText.problems(report).forEach(p -> out.println("  - " + p));
        }
        out.println("fix the new backends, then verify again: " + ctl + "continue " + id);
        out.println("or give up, back to open on the old backends (queued writes replay there): " + ctl + "abort " + id);
    }
}
