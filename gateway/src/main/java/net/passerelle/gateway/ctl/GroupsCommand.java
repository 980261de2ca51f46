package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.time.Instant;

/** {@code ctl groups [GROUP]}: every group, or one in detail. */
@Command(name = "groups", mixinStandardHelpOptions = true, description = "List the groups, or show one.")
final class GroupsCommand extends CtlSubcommand {
    @Parameters(arity = "0..1", paramLabel = "GROUP", description = "show this group only")
    String group;

    @Override
    int run(AdminClient client) {
        AdminClient.Answer a = client.get(group == null ? "v1/groups" : "v1/groups/" + AdminClient.seg(group));
        int code = unlessTable(a);
        if (code >= 0) {
            return code;
        }
        Table t = new Table("GROUP", "MODE", "WRITES", "RETRY-AFTER", "WINDOW", "BACKENDS", "SPARES");
        Instant now = Instant.now();
        Iterable<JsonNode> groups = group == null ? a.json().path("groups") : java.util.List.of(a.json());
        for (JsonNode g : groups) {
            t.row(g.path("name").asText(), Views.mode(g), Views.writes(g), g.path("retryAfterSeconds").asInt() + "s",
                    Views.window(g.path("window"), now), Views.backends(g.path("backends")), Views.backends(g.path("spares")));
        }
        t.print(out());
        return Exit.APPLIED;
    }
}
