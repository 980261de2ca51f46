package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** How a migration view of the API ({@code GET /v1/migrations/{id}}) reads in a terminal. */
final class MigrationText {
    /** The states a migration ends in; every other one is "in progress" and holds its group. */
    static final Set<String> FINAL = Set.of("done", "aborted");
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private MigrationText() {
    }

    static boolean inProgress(JsonNode v) {
        return !FINAL.contains(v.path("state").asText());
    }

    /** "08:00:01Z" for an instant of the API, null for none. */
    static String clock(JsonNode instant) {
        String s = CtlSubcommand.text(instant);
        return s == null ? null : CLOCK.format(Instant.parse(s));
    }

    /** How long a step took (or has been running), "1.2 s" under a minute, else "3m 2s". */
    static String took(JsonNode step) {
        String start = CtlSubcommand.text(step.get("startedAt"));
        if (start == null) {
            return null;
        }
        String end = CtlSubcommand.text(step.get("endedAt"));
        Duration d = Duration.between(Instant.parse(start), end == null ? Instant.now() : Instant.parse(end));
        return d.toMillis() < 60_000 ? String.format("%.1f s", d.toMillis() / 1000.0) : Views.human(d);
    }

    /** A step's outcome: the API's text, or its JSON when it is a document. */
    static String outcome(JsonNode step) {
        JsonNode o = step.get("outcome");
        if (o == null || o.isNull() || o.isMissingNode()) {
            return null;
        }
        return o.isValueNode() ? o.asText() : o.toString();
    }

    /** "08:00:02Z  read-only      done     1.2 s  confirmed by 1 of 1 gateway(s)": one step as it starts or ends. */
    static String stepLine(JsonNode step) {
        String status = step.path("status").asText();
        boolean running = status.equals("running");
        String at = clock(running || !step.hasNonNull("endedAt") ? step.get("startedAt") : step.get("endedAt"));
        StringBuilder line = new StringBuilder();
        line.append(at == null ? "         " : at).append("  ").append(pad(step.path("step").asText(), 20))
                .append(pad(running ? "started" : status, 9));
        if (!running && took(step) != null) {
            line.append(pad(took(step), 8));
        }
        String outcome = outcome(step);
        if (outcome != null) {
            line.append(outcome);
        }
        return line.toString().stripTrailing();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }

    /** "srv-12: 10.0.0.12:80 -> 10.0.0.13:80 (writes queue)" */
    static String route(JsonNode v) {
        return v.path("group").asText() + ": " + backends(v.path("from")) + " -> " + backends(v.path("to"))
                + " (writes " + v.path("writes").asText() + ")";
    }

    static String backends(JsonNode side) {
        List<String> all = new ArrayList<>(CtlSubcommand.texts(side.path("backends")));
        CtlSubcommand.texts(side.path("spares")).forEach(s -> all.add(s + " (spare)"));
        return all.isEmpty() ? "-" : String.join(", ", all);
    }

    /** "read-only for 3m 12s (at most 15m 0s)", with OVERDUE past the limit; null while the group was never read-only. */
    static String readOnly(JsonNode v) {
        if (!v.hasNonNull("readOnlySince")) {
            return null;
        }
        String s = "read-only for " + Views.human(Duration.ofSeconds(v.path("readOnlySeconds").asLong()));
        if (v.hasNonNull("maxReadOnlySeconds")) {
            s += " (at most " + Views.human(Duration.ofSeconds(v.path("maxReadOnlySeconds").asLong())) + ")";
        }
        return v.path("overdue").asBoolean() ? s + ", OVERDUE" : s;
    }

    /** "3m 12s of 15m 0s, overdue": the read-only time in a table cell, null before the group was read-only. */
    static String readOnlyCell(JsonNode v) {
        if (!v.hasNonNull("readOnlySince")) {
            return null;
        }
        String s = Views.human(Duration.ofSeconds(v.path("readOnlySeconds").asLong()));
        if (v.hasNonNull("maxReadOnlySeconds")) {
            s += " of " + Views.human(Duration.ofSeconds(v.path("maxReadOnlySeconds").asLong()));
        }
        return v.path("overdue").asBoolean() ? s + ", OVERDUE" : s;
    }

    /** Every step with its start, end, duration and outcome. */
    static void steps(JsonNode v, PrintWriter out) {
        Table t = new Table("STEP", "STATUS", "STARTED", "ENDED", "TOOK", "OUTCOME");
        for (JsonNode s : v.path("steps")) {
            t.row(s.path("step").asText(), s.path("status").asText(), clock(s.get("startedAt")), clock(s.get("endedAt")),
                    took(s), outcome(s));
        }
        t.print(out);
    }

    /** The report's problems, one line each, or its failed checks when it lists no problem. */
    static List<String> problems(JsonNode report) {
        List<String> out = CtlSubcommand.texts(report.path("problems"));
        if (out.isEmpty() && !report.path("ok").asBoolean(true)) {
            out.add("the new backends failed verification (see the report above)");
        }
        return out;
    }

    /** The spool's figures ("delivered 12, failed 0, …"), from whatever numbers the API gives. */
    static String spool(JsonNode spool) {
        if (spool == null || !spool.isObject()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        spool.fields().forEachRemaining(f -> {
            if (f.getValue().isValueNode() && !f.getValue().isNull()) {
                parts.add(f.getKey() + " " + f.getValue().asText());
            }
        });
        return parts.isEmpty() ? null : String.join(", ", parts);
    }
}
