package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ctl gateways}: each gateway of the fleet, its state, the table version it applied and its last heartbeat;
 * {@code ctl gateways forget ID} drops one that is gone.
 */
@Command(name = "gateways", mixinStandardHelpOptions = true, description = "The fleet's gateways and what they applied.",
        subcommands = GatewaysCommand.Forget.class)
final class GatewaysCommand extends CtlSubcommand {

    @Override
    int run(AdminClient client) {
        AdminClient.Answer a = client.get("v1/gateways");
        int code = unlessTable(a);
        if (code >= 0) {
            return code;
        }
        out().println("table version " + a.json().path("version").asLong());
        Table t = new Table("GATEWAY", "STATE", "APPLIED", "LIVE", "UP-TO-DATE", "HEARTBEAT", "INFO");
        for (JsonNode g : a.json().path("gateways")) {
            t.row(g.path("id").asText(), g.path("state").asText(), g.path("appliedVersion").asLong(),
                    g.path("live").asBoolean() ? "yes" : "no", g.path("upToDate").asBoolean() ? "yes" : "no",
                    text(g.get("heartbeat")), text(g.get("info")));
        }
        t.print(out());
        return Exit.APPLIED;
    }

    @Command(name = "forget", mixinStandardHelpOptions = true,
            description = {"Forget a gateway that is gone (audited): a lost one is named in every change's answer until"
                    + " it heartbeats again or is forgotten.", "Refused while the gateway is live."})
    static final class Forget extends CtlSubcommand {
        @Parameters(paramLabel = "ID", description = "the gateway's id, as `ctl gateways` lists it")
        String id;

        @Override
        int run(AdminClient client) {
            AdminClient.Answer a = client.call("DELETE", "v1/gateways/" + AdminClient.seg(id), null);
            int code = unlessTable(a);
            if (code >= 0) {
                return code;
            }
            out().println("forgot " + a.json().path("forgotten").asText() + " (it was " + a.json().path("state").asText()
                    + ")");
            out().flush();
            return Exit.APPLIED;
        }
    }
}
