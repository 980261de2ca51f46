package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;

import java.time.Instant;

/**
 * {@code ctl status}: the fleet in one screen: gateways, then every group with its mode, window, backends and queue,
 * then the migrations in progress.
 */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Fleet and groups at a glance.")
final class StatusCommand extends CtlSubcommand {

    @Override
    int run(AdminClient client) {
        AdminClient.Answer groups = client.get("v1/groups");
        int code = failed(groups, false);
        if (code >= 0) {
            return code;
        }
        AdminClient.Answer gateways = client.get("v1/gateways");
        code = failed(gateways, false);
        if (code >= 0) {
            return code;
        }
        if (json()) {
            ObjectNode both = AdminClient.JSON.createObjectNode();
            both.set("groups", groups.json());
            both.set("gateways", gateways.json());
            out().println(both);
            out().flush();
            return Exit.APPLIED;
        }
        JsonNode gws = gateways.json().path("gateways");
        int live = 0;
        int upToDate = 0;
        for (JsonNode g : gws) {
            live += g.path("live").asBoolean() ? 1 : 0;
            upToDate += g.path("live").asBoolean() && g.path("upToDate").asBoolean() ? 1 : 0;
        }
        out().println("admin " + client.base() + " · table version " + groups.json().path("version").asLong()
                + " · " + live + " live gateway(s), " + upToDate + " up to date");
        out().println();
        Table t = new Table("GROUP", "MODE", "WRITES", "WINDOW", "BACKENDS", "QUEUED");
        Instant now = Instant.now();
        for (JsonNode g : groups.json().path("groups")) {
            String name = g.path("name").asText();
            AdminClient.Answer spool = client.get("v1/groups/" + AdminClient.seg(name) + "/spool");
            String queued = spool.status() == 200 ? queued(spool.json()) : null;
            t.row(name, Views.mode(g), Views.writes(g), Views.window(g.path("window"), now), Views.backends(g.path("backends")), queued);
        }
        t.print(out());
        migrationsInProgress(client);
        return Exit.APPLIED;
    }

    /**
     * This gateway's queued writes, those the other live gateways hold on their own disks, and those that need a
     * person (failed-final, set aside: {@code ctl spool list}), which "0" alone would hide.
     */
    static String queued(JsonNode spool) {
        int elsewhere = 0;
        for (JsonNode n : spool.path("waitingElsewhere")) {
            elsewhere += n.asInt();
        }
        String here = String.valueOf(spool.path("count").asInt());
        String cell = elsewhere == 0 ? here : here + " (+" + elsewhere + " on other gateways)";
        int failed = spool.path("failedFinal").asInt();
        int setAside = spool.path("setAside").asInt();
        if (failed > 0) {
            cell += ", " + failed + " failed-final";
        }
        if (setAside > 0) {
            cell += ", " + setAside + " set aside";
        }
        return cell;
    }

    /** The migrations holding a group read-only or waiting for ops: what a migration morning's status is about. */
    private void migrationsInProgress(AdminClient client) {
        AdminClient.Answer a = client.get("v1/migrations");
        if (a.status() != 200) {
            return;
        }
        Table t = new Table("MIGRATION", "GROUP", "STATE", "READ-ONLY", "TO");
        for (JsonNode v : a.json().path("migrations")) {
            if (MigrationText.inProgress(v)) {
                t.row(v.path("id").asText(), v.path("group").asText(), v.path("state").asText(), MigrationText.readOnlyCell(v),
                        MigrationText.backends(v.path("to")));
            }
        }
        if (t.size() > 0) {
            out().println();
            t.print(out());
        }
    }
}
