package net.passerelle.admin.api;

import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.Window;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** How groups and windows are shown in answers, and the reading of the values that bodies carry as text. */
final class Views {
    private volatile ControlApi.HealthView health = ControlApi.HealthView.UNKNOWN;

    void setHealth(ControlApi.HealthView view) {
        this.health = Objects.requireNonNull(view);
    }

    Map<String, Object> group(Group g, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", g.name());
        m.put("mode", g.mode().wireName());
        m.put("writes", g.writes().wireName());
        m.put("effectiveMode", g.effectiveMode(now).wireName());
        m.put("effectiveWrites", g.effectiveWrites(now).wireName());
        m.put("retryAfterSeconds", g.retryAfterSeconds());
        m.put("message", g.message());
        m.put("profile", g.profile());
        m.put("window", window(g.window(), now));
        m.put("readOnlySince", g.readOnlySince() == null ? null : g.readOnlySince().toString());
        m.put("backends", backends(g.name(), g.backends()));
        m.put("spares", backends(g.name(), g.spares()));
        return m;
    }

    private List<Object> backends(String group, List<Backend> list) {
        ControlApi.HealthView view = health;
        List<Object> out = new ArrayList<>();
        for (Backend b : list) {
            out.add(Map.of("address", b.toString(), "health", view.state(group, b)));
        }
        return out;
    }

    static Map<String, Object> window(Window w, Instant now) {
        if (w == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("start", w.start());
        m.put("end", w.end());
        m.put("mode", w.mode().wireName());
        m.put("writes", w.writes().wireName());
        m.put("inForce", w.inForce(now));
        m.put("over", w.isOver(now));
        return m;
    }

    /** The backends of a body's {@code field}, each {@code host:port}. */
    static List<Backend> parseBackends(String field, List<String> list) {
        List<Backend> out = new ArrayList<>(list.size());
        for (String text : list) {
            if (text == null) {
                throw new ApiException(400, "bad value", "'" + field + "' holds a null");
            }
            out.add(Backend.parse(text));
        }
        return out;
    }

    static Instant parseInstant(String field, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new ApiException(400, "bad value", "'" + field + "' must be an ISO-8601 UTC instant such as"
                    + " 2026-11-22T08:00:00Z, not '" + text + "'");
        }
    }
}
