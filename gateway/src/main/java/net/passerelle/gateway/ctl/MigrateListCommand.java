package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ctl migrate list [--group G]}: every migration, newest first, those in progress with their read-only time. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Migrations, newest first.")
final class MigrateListCommand extends CtlSubcommand {
    @Option(names = "--group", paramLabel = "GROUP", description = "only this group's")
    String group;

    @Override
    int run(AdminClient client) {
        AdminClient.Answer a = client.get("v1/migrations" + (group == null ? "" : "?group=" + AdminClient.seg(group)));
        int code = unlessTable(a);
        if (code >= 0) {
            return code;
        }
        Table t = new Table("ID", "GROUP", "STATE", "FROM", "TO", "READ-ONLY", "CREATED");
        for (JsonNode v : a.json().path("migrations")) {
            t.row(v.path("id").asText(), v.path("group").asText(), v.path("state").asText(), MigrationText.backends(v.path("from")),
                    MigrationText.backends(v.path("to")), MigrationText.readOnlyCell(v), v.path("createdAt").asText());
        }
        if (t.size() == 0) {
            out().println("no migration" + (group == null ? "" : " for " + group));
        } else {
            t.print(out());
        }
        out().flush();
        return Exit.APPLIED;
    }
}
