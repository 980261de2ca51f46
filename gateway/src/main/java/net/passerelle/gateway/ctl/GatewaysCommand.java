package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code ctl gateways}: each gateway of the fleet, the table version it applied and its last heartbeat. */
@Command(name = "gateways", mixinStandardHelpOptions = true, description = "The fleet's gateways and what they applied.")
final class GatewaysCommand extends CtlSubcommand {

    @Override
    int run(AdminClient client) {
        AdminClient.Answer a = client.get("v1/gateways");
        int code = unlessTable(a);
        if (code >= 0) {
            return code;
        }
        out().println("table version " + a.json().path("version").asLong());
        Table t = new Table("GATEWAY", "APPLIED", "LIVE", "UP-TO-DATE", "HEARTBEAT", "INFO");
        for (JsonNode g : a.json().path("gateways")) {
            t.row(g.path("id").asText(), g.path("appliedVersion").asLong(), g.path("live").asBoolean() ? "yes" : "no",
                    g.path("upToDate").asBoolean() ? "yes" : "no", text(g.get("heartbeat")), text(g.get("info")));
        }
        t.print(out());
        return Exit.APPLIED;
    }
}
