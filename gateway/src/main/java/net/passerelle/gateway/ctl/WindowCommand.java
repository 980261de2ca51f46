package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code ctl window GROUP --start T --end T --mode M [--writes W]}, or {@code ctl window GROUP --cancel}. */
@Command(name = "window", mixinStandardHelpOptions = true,
        description = "Schedule a window (UTC instants, e.g. 2026-11-22T08:00:00Z) or cancel it; waits for the fleet.")
final class WindowCommand extends CtlSubcommand {
    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    static final class Choice {
        @Option(names = "--cancel", required = true, description = "cancel the group's window")
        boolean cancel;

        @ArgGroup(exclusive = false)
        Schedule schedule;
    }

    static final class Schedule {
        @Option(names = "--start", required = true, paramLabel = "INSTANT")
        String start;

        @Option(names = "--end", required = true, paramLabel = "INSTANT")
        String end;

        @Option(names = "--mode", required = true, paramLabel = "MODE", description = "read-only or maintenance")
        String mode;

        @Option(names = "--writes", paramLabel = "POLICY", description = "reject or queue")
        String writes;
    }

    @Override
    int run(AdminClient client) throws Exception {
        String path = "v1/groups/" + AdminClient.seg(group) + "/window";
        AdminClient.Answer a;
        if (choice.cancel) {
            a = waitForFleet(client, "DELETE", path, null, "waiting for every gateway to cancel the window of " + group);
        } else {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("start", choice.schedule.start);
            body.put("end", choice.schedule.end);
            body.put("mode", choice.schedule.mode);
            if (choice.schedule.writes != null) {
                body.put("writes", choice.schedule.writes);
            }
            a = waitForFleet(client, "PUT", path, body, "waiting for every gateway to apply the window of " + group);
        }
        int code = failed(a, true);
        if (code >= 0) {
            return code;
        }
        if (json()) {
            return printJson(a, true);
        }
        JsonNode w = a.json().path("window");
        String what = w.isNull() || w.isMissingNode() ? "no window" : Views.window(w, Instant.now());
        out().println(group + ": " + what + ", " + confirmation(a.json()));
        JsonNode replaced = a.json().path("replaced");
        if (replaced.isObject()) {
            out().println("  (it replaces " + Views.window(replaced, Instant.now()) + ": a group has one window)");
        }
        out().flush();
        return Exit.of(a.status(), true);
    }
}
