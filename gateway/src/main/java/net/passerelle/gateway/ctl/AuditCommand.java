package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ctl audit [--limit N]}: the audit log, newest first. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "The audit log, newest first.")
final class AuditCommand extends CtlSubcommand {
    @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "20", description = "entries (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    int run(AdminClient client) {
        AdminClient.Answer a = client.get("v1/audit?limit=" + limit);
        int code = unlessTable(a);
        if (code >= 0) {
            return code;
        }
        Table t = new Table("AT", "WHO", "ACTION", "TARGET", "VERSION");
        for (JsonNode e : a.json().path("entries")) {
            t.row(e.path("at").asText(), e.path("actor").asText(), e.path("action").asText(), e.path("target").asText(),
                    text(e.get("version")));
        }
        t.print(out());
        return Exit.APPLIED;
    }
}
