package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Which migration a command means: a migration id; a group (its migration in progress, or its latest one for a
 * read); or nothing, which means the only migration in progress (several is an error that lists them, so the
 * operator names one rather than steering the wrong group).
 */
final class MigrationTarget {
    private MigrationTarget() {
    }

    /**
     * @param latestWillDo whether a group's or the fleet's latest migration will do when none is in progress (a read)
     * @return the migration's view as the API answers it now
     */
    static JsonNode resolve(AdminClient client, String idOrGroup, boolean latestWillDo) {
        if (idOrGroup != null) {
            AdminClient.Answer byId = client.get("v1/migrations/" + AdminClient.seg(idOrGroup));
            if (byId.status() == 200) {
                return byId.json();
            }
            // Not an id (404, or 400 from an API that checks the form of ids): a group, then.
            if (byId.status() != 404 && byId.status() != 400) {
                throw refused(byId);
            }
        }
        AdminClient.Answer list = client.get("v1/migrations" + (idOrGroup == null ? "" : "?group=" + AdminClient.seg(idOrGroup)));
        if (list.status() != 200) {
            throw refused(list);
        }
        List<JsonNode> all = new ArrayList<>();
        list.json().path("migrations").forEach(all::add);
        List<JsonNode> running = all.stream().filter(MigrationText::inProgress).toList();
        if (running.size() == 1) {
            return running.get(0);
        }
        String where = idOrGroup == null ? "" : " for " + idOrGroup;
        if (running.size() > 1) {
            StringBuilder s = new StringBuilder(running.size() + " migrations are in progress" + where + "; name one:");
            running.forEach(v -> s.append("\n  ").append(v.path("id").asText()).append("  ").append(v.path("group").asText())
                    .append("  ").append(v.path("state").asText()));
            throw new CtlException(Exit.USAGE, s.toString());
        }
        if (latestWillDo && !all.isEmpty()) {
            return all.get(0);
        }
        if (idOrGroup == null) {
            throw new CtlException(Exit.REFUSED, "no migration in progress");
        }
        throw new CtlException(Exit.REFUSED, all.isEmpty() ? "no migration has the id or the group " + idOrGroup
                : "no migration in progress for " + idOrGroup + " (its latest: " + all.get(0).path("id").asText() + ", "
                + all.get(0).path("state").asText() + ")");
    }

    private static CtlException refused(AdminClient.Answer a) {
        return new CtlException(Exit.of(a.status(), false), a.errorLine());
    }
}
