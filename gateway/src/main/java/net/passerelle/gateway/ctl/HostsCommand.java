package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ctl hosts [--group G]}: the host names and the group and account each reaches. */
@Command(name = "hosts", mixinStandardHelpOptions = true, description = "List the host mappings.")
final class HostsCommand extends CtlSubcommand {
    @Option(names = {"-g", "--group"}, paramLabel = "GROUP", description = "only the hosts of this group")
    String group;

    @Override
    int run(AdminClient client) {
        AdminClient.Answer a = client.get("v1/hosts" + (group == null ? "" : "?group=" + AdminClient.seg(group)));
        int code = unlessTable(a);
        if (code >= 0) {
            return code;
        }
        Table t = new Table("HOST", "GROUP", "ACCOUNT");
        for (JsonNode h : a.json().path("hosts")) {
            t.row(h.path("host").asText(), h.path("group").asText(), h.path("account").asText());
        }
        t.print(out());
        return Exit.APPLIED;
    }
}
