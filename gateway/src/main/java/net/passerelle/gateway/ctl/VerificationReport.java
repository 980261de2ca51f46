package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;

/** A cutover verification report (the API's {@code report}) as a table: one row per host, backend and address. */
final class VerificationReport {
    private VerificationReport() {
    }

    static void print(JsonNode report, PrintWriter out) {
        Table t = new Table("HOST", "BACKEND", "ADDRESS", "STATUS", "TITLE", "VERDICT");
        for (Iterator<Map.Entry<String, JsonNode>> hosts = report.path("hosts").fields(); hosts.hasNext(); ) {
            Map.Entry<String, JsonNode> host = hosts.next();
            for (Iterator<Map.Entry<String, JsonNode>> bs = host.getValue().path("backends").fields(); bs.hasNext(); ) {
                Map.Entry<String, JsonNode> backend = bs.next();
                for (Iterator<Map.Entry<String, JsonNode>> as = backend.getValue().fields(); as.hasNext(); ) {
                    Map.Entry<String, JsonNode> address = as.next();
                    JsonNode c = address.getValue();
                    String verdict = c.path("verdict").asText() + (c.hasNonNull("reason") ? ": " + c.path("reason").asText() : "");
                    t.row(host.getKey(), backend.getKey(), address.getKey(), CtlSubcommand.text(c.get("status")),
                            CtlSubcommand.text(c.get("title")), verdict);
                }
            }
        }
        out.println("verification of " + report.path("path").asText() + " (" + report.path("tookMillis").asLong() + " ms): "
                + (report.path("ok").asBoolean() ? "passed" : "FAILED"));
        t.print(out);
        out.println();
    }
}
