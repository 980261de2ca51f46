package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ctl spool list|replay|discard|requeue}: a group's queued writes (never their bodies or secrets). */
@Command(name = "spool", mixinStandardHelpOptions = true, description = "A group's queued writes.",
        subcommands = {SpoolCommand.List.class, SpoolCommand.Replay.class, SpoolCommand.Discard.class, SpoolCommand.Requeue.class})
final class SpoolCommand {

    static String path(String group) {
        return "v1/groups/" + AdminClient.seg(group) + "/spool";
    }

    static void summary(CtlSubcommand c, JsonNode s) {
        c.out().println(s.path("group").asText() + ": " + s.path("count").asInt() + " waiting, " + s.path("bytes").asLong()
                + " bytes, oldest " + (s.hasNonNull("oldest") ? s.path("oldest").asText() : "-") + ", "
                + s.path("failedFinal").asInt() + " failed-final, " + s.path("setAside").asInt() + " set aside");
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every entry with its status.")
    static final class List extends CtlSubcommand {
        @Parameters(paramLabel = "GROUP")
        String group;

        @Override
        int run(AdminClient client) {
            AdminClient.Answer a = client.get(path(group));
            int code = unlessTable(a);
            if (code >= 0) {
                return code;
            }
            summary(this, a.json());
            Table t = new Table("REF", "METHOD", "PATH", "ARRIVAL", "BYTES", "STATUS", "ATTEMPTS", "LAST");
            for (JsonNode e : a.json().path("entries")) {
                String last = e.path("lastStatus").asInt() == 0 && !e.hasNonNull("lastReason") ? null
                        : e.path("lastStatus").asInt() + " " + e.path("lastReason").asText("");
                t.row(e.path("ref").asText(), e.path("method").asText(), e.path("path").asText(), text(e.get("arrival")),
                        e.path("bytes").asLong(), e.path("status").asText(), e.path("attempts").asInt(), last);
            }
            if (t.size() > 0) {
                out().println();
                t.print(out());
            }
            out().flush();
            return Exit.APPLIED;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true, description = "Replay the queued writes now.")
    static final class Replay extends CtlSubcommand {
        @Parameters(paramLabel = "GROUP")
        String group;

        @picocli.CommandLine.Option(names = "--force",
                description = "replay although the group is not open (its backends may still be read-only)")
        boolean force;

        @Override
        int run(AdminClient client) {
            AdminClient.Answer a = client.call("POST", path(group) + "/replay", force ? java.util.Map.of("force", true) : null);
            if (a.status() == 409 && a.json() != null && "group not open".equals(a.json().path("error").asText()) && !json()) {
                // The API's detail names its body field; an operator at this prompt needs the flag.
                err().println("passerelle ctl: group " + group + " is still " + a.json().path("mode").asText()
                        + ": its queued writes replay by themselves when it opens; to replay them now anyway: "
                        + ctl().again() + "spool replay --force " + group);
                err().flush();
                return Exit.REFUSED;
            }
            int code = unlessTable(a);
            if (code >= 0) {
                return code;
            }
            out().println(a.json().path("replayStarted").asBoolean() ? "replay started" : "replay already running");
            summary(this, a.json());
            out().flush();
            return Exit.APPLIED;
        }
    }

    /** A command on one entry: GROUP REF. */
    abstract static class EntryCommand extends CtlSubcommand {
        @Parameters(index = "0", paramLabel = "GROUP")
        String group;

        @Parameters(index = "1", paramLabel = "REF", description = "the reference id")
        String ref;

        /** POSTs or DELETEs {@code suffix} of the entry; prints {@code what} and the entry on success. */
        int change(AdminClient client, String method, String suffix, String field, String what) {
            AdminClient.Answer a = client.call(method, path(group) + "/" + AdminClient.seg(ref) + suffix, null);
            int code = unlessTable(a);
            if (code >= 0) {
                return code;
            }
            JsonNode e = a.json().path(field);
            out().println(what + " " + e.path("ref").asText() + " (" + e.path("method").asText() + " " + e.path("path").asText()
                    + ", was " + e.path("status").asText() + ")" + (a.json().path("replayStarted").asBoolean() ? ": replay started" : ""));
            out().flush();
            return Exit.APPLIED;
        }
    }

    @Command(name = "discard", mixinStandardHelpOptions = true, description = "Discard one queued write for good (audited).")
    static final class Discard extends EntryCommand {
        @Override
        int run(AdminClient client) {
            return change(client, "DELETE", "", "discarded", "discarded");
        }
    }

    @Command(name = "requeue", mixinStandardHelpOptions = true,
            description = "Put a failed-final queued write back in the queue (audited); it is sent at once if the group is open.")
    static final class Requeue extends EntryCommand {
        @Override
        int run(AdminClient client) {
            return change(client, "POST", "/requeue", "requeued", "requeued");
        }
    }
}
