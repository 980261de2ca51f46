package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code ctl mode GROUP MODE [--writes reject|queue] [--retry-after S] [--message LANG=TEXT]…}: waits for the fleet. */
@Command(name = "mode", mixinStandardHelpOptions = true,
        description = "Set a group's standing mode; answers once every live gateway enforces it.")
final class ModeCommand extends CtlSubcommand {
    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Parameters(index = "1", paramLabel = "MODE", description = "open, read-only or maintenance")
    String mode;

    @Option(names = "--writes", paramLabel = "POLICY", description = "reject (503) or queue (202, replayed later)")
    String writes;

    @Option(names = "--retry-after", paramLabel = "SECONDS", description = "Retry-After of the notices")
    Integer retryAfter;

    @Option(names = "--message", paramLabel = "LANG=TEXT", description = "the notice's message in a language, e.g. en=\"Back at 9\"")
    Map<String, String> message;

    @Override
    int run(AdminClient client) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("mode", mode);
        if (writes != null) {
            body.put("writes", writes);
        }
        if (retryAfter != null) {
            body.put("retryAfterSeconds", retryAfter);
        }
        if (message != null) {
            body.put("message", message);
        }
        AdminClient.Answer a = waitForFleet(client, "PUT", "v1/groups/" + AdminClient.seg(group) + "/mode", body,
                "waiting for every gateway to apply " + mode + " to " + group);
        int code = failed(a, true);
        if (code >= 0) {
            return code;
        }
        if (json()) {
            return printJson(a, true);
        }
        JsonNode j = a.json();
        out().println(group + ": " + j.path("mode").asText() + " (writes " + j.path("writes").asText() + ", in force: "
                + j.path("effectiveMode").asText() + "), " + confirmation(j));
        out().flush();
        return Exit.of(a.status(), true);
    }
}
