package net.passerelle.gateway.reload;

import net.passerelle.gateway.config.GatewayConfig;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** What differs between two configurations, key by key ({@code limits.idleTimeout: 60s -> 5s}), secrets masked. */
public final class ConfigDiff {

    /** One changed key, with its values as the log shows them. */
    public record Change(String key, String before, String after) {
        /** The top-level section: {@code limits} for {@code limits.idleTimeout}. */
        public String section() {
            int dot = key.indexOf('.');
            return dot < 0 ? key : key.substring(0, dot);
        }

        @Override
        public String toString() {
            return key + ": " + before + " -> " + after;
        }
    }

    private ConfigDiff() {
    }

    public static List<Change> between(GatewayConfig before, GatewayConfig after) {
        List<Change> out = new ArrayList<>();
        walk("", before, after, out);
        return out;
    }

    private static void walk(String prefix, Object a, Object b, List<Change> out) {
        if (Objects.equals(a, b)) {
            return;
        }
        if (a != null && b != null && a.getClass().isRecord() && a.getClass() == b.getClass()) {
            for (RecordComponent c : a.getClass().getRecordComponents()) {
                walk(prefix.isEmpty() ? c.getName() : prefix + "." + c.getName(), value(c, a), value(c, b), out);
            }
            return;
        }
        out.add(new Change(prefix, show(prefix, a), show(prefix, b)));
    }

    /** As the configuration file writes it: 250ms, 30s, 5m, 2h. */
    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s != 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        return s != 0 && s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    private static Object value(RecordComponent c, Object record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c.getName(), e);
        }
    }

    private static String show(String key, Object v) {
        if (v == null) {
            return "(unset)";
        }
        String k = key.toLowerCase(Locale.ROOT);
        if (k.endsWith("token") || k.endsWith("password") || k.endsWith("secret") || k.endsWith("tokens")) {
            return "(secret)";
        }
        String s = v instanceof Duration d ? duration(d) : v.toString();
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
