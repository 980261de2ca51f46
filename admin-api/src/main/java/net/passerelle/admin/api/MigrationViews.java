package net.passerelle.admin.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import net.passerelle.admin.model.Migration;
import net.passerelle.admin.model.MigrationFlow;
import net.passerelle.admin.model.MigrationState;
import net.passerelle.admin.model.MigrationStep;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A migration as the API shows it (the body of {@code GET /v1/migrations/{id}}, of the answers that change one, and
 * of each event of its stream): the request, the current step, how long the group has been read-only, the
 * verification report, the replay's outcomes, and every step with its times and outcome, the planned ones included.
 */
public final class MigrationViews {
    private MigrationViews() {
    }

    public static Map<String, Object> view(Migration m, Instant now) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", m.id());
        v.put("group", m.group());
        v.put("state", m.state().wireName());
        v.put("writes", m.writes().wireName());
        v.put("from", placement(m.from()));
        v.put("to", placement(m.to()));
        v.put("maxReadOnlySeconds", m.maxReadOnlySeconds());
        v.put("start", text(m.start()));
        v.put("createdAt", text(m.createdAt()));
        v.put("updatedAt", text(m.updatedAt()));
        v.put("readOnlySince", text(m.readOnlySince()));
        v.put("readOnlySeconds", readOnlySeconds(m, now));
        v.put("overdue", overdue(m, now));
        v.put("report", tree(m.reportJson()));
        v.put("spool", tree(m.spoolJson()));
        List<Map<String, Object>> steps = new ArrayList<>();
        for (MigrationStep s : MigrationFlow.view(m)) {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("step", s.step());
            step.put("status", s.status());
            step.put("startedAt", text(s.startedAt()));
            step.put("endedAt", text(s.endedAt()));
            step.put("outcome", s.outcome());
            steps.add(step);
        }
        v.put("steps", steps);
        return v;
    }

    /**
     * Past {@code maxReadOnlySeconds}: the alert was raised (by whichever driver noticed first), or the read-only
     * time already exceeds the bound (between the moment it does and the driver's next look).
     */
    public static boolean overdue(Migration m, Instant now) {
        if (m.overrunAt() != null) {
            return true;
        }
        Long seconds = readOnlySeconds(m, now);
        return seconds != null && m.maxReadOnlySeconds() != null && seconds > m.maxReadOnlySeconds();
    }

    /**
     * How long the group has been (or was) read-only for this migration: until now while it still is, else until
     * the step that opened it again ended ({@code open}, or {@code aborted}); null before it became read-only.
     */
    public static Long readOnlySeconds(Migration m, Instant now) {
        if (m.readOnlySince() == null) {
            return null;
        }
        Instant end = now;
        if (!m.state().groupReadOnly() && m.state() != MigrationState.OPEN) {
            end = null;
            for (MigrationStep s : m.steps()) {
                boolean opening = s.step().equals(MigrationState.OPEN.wireName())
                        || s.step().equals(MigrationState.ABORTED.wireName());
                if (opening && s.endedAt() != null) {
                    end = s.endedAt();
                }
            }
            end = end == null ? now : end;
        }
        return Math.max(0, Duration.between(m.readOnlySince(), end).toSeconds());
    }

    private static Map<String, Object> placement(Migration.Placement p) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("backends", p == null ? List.of() : p.backends());
        v.put("spares", p == null ? List.of() : p.spares());
        return v;
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }

    private static JsonNode tree(String json) {
        if (json == null) {
            return null;
        }
        try {
            return Json.STRICT.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored migration document is not JSON", e);
        }
    }
}
