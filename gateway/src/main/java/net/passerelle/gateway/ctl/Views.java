package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** How the API's group documents read in a table cell. */
final class Views {
    private Views() {
    }

    /** The mode in force, with the standing mode when a window overrides it. */
    static String mode(JsonNode g) {
        String effective = g.path("effectiveMode").asText();
        String standing = g.path("mode").asText();
        return effective.equals(standing) ? effective : effective + " (window; standing " + standing + ")";
    }

    static String writes(JsonNode g) {
        return g.path("effectiveWrites").asText(g.path("writes").asText());
    }

    /** "read-only 08:00–09:30Z, ends in 12m" or null. */
    static String window(JsonNode w, Instant now) {
        if (w == null || w.isNull() || w.isMissingNode()) {
            return null;
        }
        Instant start = Instant.parse(w.path("start").asText());
        Instant end = Instant.parse(w.path("end").asText());
        String when;
        if (!now.isBefore(end)) {
            when = "over";
        } else if (now.isBefore(start)) {
            when = "starts in " + human(Duration.between(now, start));
        } else {
            when = "ends in " + human(Duration.between(now, end));
        }
        return w.path("mode").asText() + " " + start + " – " + end + ", " + when;
    }

    static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s >= 86_400) {
            return (s / 86_400) + "d " + (s % 86_400) / 3600 + "h";
        }
        if (s >= 3600) {
            return (s / 3600) + "h " + (s % 3600) / 60 + "m";
        }
        if (s >= 60) {
            return (s / 60) + "m " + s % 60 + "s";
        }
        return s + "s";
    }

    /** "127.0.0.1:8081 up, 127.0.0.1:8082 down" */
    static String backends(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(b -> out.add(b.path("address").asText() + " " + b.path("health").asText()));
        return String.join(", ", out);
    }
}
