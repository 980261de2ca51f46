package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ctl cutover GROUP --backend HOST:PORT… [--spare HOST:PORT…] [--no-verify] [--path /]}: verifies, switches,
 * and prints the verification report as a table, also when the API refused (409: nothing changed).
 */
@Command(name = "cutover", mixinStandardHelpOptions = true,
        description = "Move a group to new backends after verifying them; prints the verification report.")
final class CutoverCommand extends CtlSubcommand {
    @Parameters(index = "0", paramLabel = "GROUP")
    String group;

    @Option(names = {"-b", "--backend"}, required = true, split = ",", paramLabel = "HOST:PORT", description = "new backends")
    List<String> backends;

    @Option(names = {"-s", "--spare"}, split = ",", paramLabel = "HOST:PORT", description = "new spares")
    List<String> spares;

    @Option(names = "--no-verify", description = "switch without verifying (the report is then empty)")
    boolean noVerify;

    @Option(names = "--path", paramLabel = "PATH", description = "path requested on every host (default: cutover.path)")
    String path;

    @Override
    int run(AdminClient client) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("backends", backends);
        body.put("spares", spares == null ? List.of() : spares);
        body.put("verify", !noVerify);
        if (path != null) {
            body.put("path", path);
        }
        AdminClient.Answer a = waitForFleet(client, "POST", "v1/groups/" + AdminClient.seg(group) + "/cutover", body,
                "verifying the new backends of " + group + " and switching the fleet");
        if (json()) {
            return printJson(a, true);
        }
        JsonNode report = a.json() == null ? null : a.json().get("report");
        if (report != null && !report.isNull()) {
            VerificationReport.print(report, out());
        }
        int code = failed(a, true);
        if (code >= 0) {
            return code;
        }
        out().println(group + ": switched to " + String.join(", ", backends) + " at " + a.json().path("switchedAt").asText()
                + ", " + confirmation(a.json()));
        out().flush();
        return Exit.of(a.status(), true);
    }
}
