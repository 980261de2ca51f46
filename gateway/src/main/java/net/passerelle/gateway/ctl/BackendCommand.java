package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.Map;

/** {@code ctl backend GROUP HOST:PORT ready|drain|maint}: a backend's administrative state, fleet-wide. */
@Command(name = "backend", mixinStandardHelpOptions = true,
        description = "Set a backend's state for the whole fleet: ready, drain (no new requests) or maint.")
final class BackendCommand extends CtlSubcommand {
    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Parameters(index = "1", paramLabel = "HOST:PORT")
    String backend;

    @Parameters(index = "2", paramLabel = "STATE", description = "ready, drain or maint")
    String state;

    @Override
    int run(AdminClient client) throws Exception {
        AdminClient.Answer a = waitForFleet(client, "PUT", "v1/groups/" + AdminClient.seg(group) + "/backends/"
                + AdminClient.seg(backend) + "/state", Map.of("state", state), "waiting for every gateway to " + state + " " + backend);
        int code = failed(a, true);
        if (code >= 0) {
            return code;
        }
        if (json()) {
            return printJson(a, true);
        }
        JsonNode j = a.json();
        out().println(j.path("backend").asText() + ": " + j.path("admin").asText() + " (health "
                + j.path("status").path("health").asText("unknown") + "), " + confirmation(j));
        out().flush();
        return Exit.of(a.status(), true);
    }
}
