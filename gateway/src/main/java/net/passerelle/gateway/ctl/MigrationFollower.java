package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Follows one migration's event stream ({@code GET /v1/migrations/{id}/events}), printing each step once as it starts
 * and once as it ends, with its time and outcome (or, with {@code --json}, each view as one line), until the
 * migration reaches a state where the command stops.
 *
 * <p>The server sends the current view on connect, so nothing that happened between the call that started the
 * command and the connection is missed; and it ends the stream only after done or aborted, so a stream that ends
 * sooner means the admin API went away: it is reconnected a few times (another admin API may have taken the
 * migration over: its state is in the store), then the command gives up without touching the migration.
 */
final class MigrationFollower {
    private static final int RECONNECTS = 3;
    private final AdminClient client;
    private final PrintWriter out;
    private final boolean json;
    private final JsonNode before;
    private final String again;
    /** The status last printed for each step entry. */
    private final Map<String, String> printed = new HashMap<>();
    private boolean overdueSaid;

    /**
     * @param before the view as it was before this command acted on it (its steps are not printed again, and its
     *               state is not one to stop at until the migration has moved), or null for a new migration
     * @param again  how to run ctl again ({@link CtlCommand#again()}), for the command printed when following fails
     */
    MigrationFollower(AdminClient client, PrintWriter out, boolean json, JsonNode before, String again) {
        this.again = again;
        this.client = client;
        this.out = out;
        this.json = json;
        this.before = before;
        if (before != null) {
            JsonNode steps = before.path("steps");
            for (int i = 0; i < steps.size(); i++) {
                printed.put(key(i, steps.get(i)), steps.get(i).path("status").asText());
            }
            overdueSaid = before.path("overdue").asBoolean();
        }
    }

    /** A stop: one of {@code states}, unless the view is still the one the command acted on. */
    Predicate<JsonNode> stopAt(Set<String> states) {
        return v -> states.contains(v.path("state").asText()) && !(before != null
                && before.path("state").equals(v.path("state")) && before.path("updatedAt").equals(v.path("updatedAt")));
    }

    /** Follows the migration until {@code stop} holds for its view, or it ends; returns the last view. */
    JsonNode follow(String id, Predicate<JsonNode> stop) {
        String path = "v1/migrations/" + AdminClient.seg(id) + "/events";
        JsonNode[] last = {null};
        for (int attempt = 0; ; attempt++) {
            try {
                if (readOnce(id, path, stop, last)) {
                    return last[0];
                }
            } catch (CtlException e) {
                // Unreachable on a reconnection: the admin API may be restarting; anything else is final.
                if (attempt == 0 || e.exitCode() != Exit.FAILURE) {
                    throw e;
                }
            }
            if (last[0] != null && MigrationText.FINAL.contains(last[0].path("state").asText())) {
                return last[0];
            }
            if (attempt == RECONNECTS) {
                throw new CtlException(Exit.FAILURE, "the event stream of " + id + " ended before the migration did; it goes on"
                        + " in the store: " + again + "migrate status " + id);
            }
            // A short pause, so that an admin API being restarted has a moment to come back.
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
        }
    }

    /** One connection to the stream: whether {@code stop} held (false: the stream ended or broke first). */
    private boolean readOnce(String id, String path, Predicate<JsonNode> stop, JsonNode[] last) {
        AdminClient.Lines lines = client.lines(path);
        if (lines.refusal() != null) {
            throw new CtlException(Exit.of(lines.refusal().status(), false), "cannot follow " + id + ": " + lines.refusal().errorLine());
        }
        try (Stream<String> s = lines.stream()) {
            return EventStream.read(s, e -> {
                if (!e.name().equals("migration")) {
                    return true;
                }
                last[0] = show(e.data());
                return !stop.test(last[0]);
            });
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /** A step entry by its place as well as its name: a step tried again (verifying, after a fix) is a new entry. */
    private static String key(int index, JsonNode step) {
        return index + ":" + step.path("step").asText();
    }

    private JsonNode show(String data) {
        JsonNode v;
        try {
            v = AdminClient.JSON.readTree(data);
        } catch (JsonProcessingException e) {
            throw new CtlException(Exit.FAILURE, "the event stream sent something that is not JSON: " + e.getOriginalMessage());
        }
        if (json) {
            out.println(v);
        } else {
            JsonNode steps = v.path("steps");
            for (int i = 0; i < steps.size(); i++) {
                JsonNode step = steps.get(i);
                String status = step.path("status").asText();
                // A step skipped without ever starting (after an abort) is in the status table, not worth a line here.
                boolean neverRan = status.equals("skipped") && !step.hasNonNull("startedAt");
                if (!status.equals("planned") && !neverRan && !status.equals(printed.get(key(i, step)))) {
                    out.println(MigrationText.stepLine(step));
                    printed.put(key(i, step), status);
                }
            }
            if (v.path("overdue").asBoolean() && !overdueSaid) {
                out.println("WARNING: " + v.path("group").asText() + " has been " + MigrationText.readOnly(v)
                        + "; nothing opens by itself: finish the copy and continue, or abort");
                overdueSaid = true;
            }
        }
        out.flush();
        return v;
    }
}
