package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The migrations API as its contract describes it (SPEC item 19), played by a script rather than a driver: each
 * call moves the migration to the state it leads to, and the views in between are sent on the next connection to
 * its event stream, one event each, so a test sees the steps arrive one by one and knows exactly which. It pins the
 * wire format {@code ctl migrate} reads (views, errors, {@code text/event-stream}) independently of the server.
 */
final class MigrationsApiStub implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> STEPS = List.of("read-only", "awaiting-copy", "verifying", "cutover", "open", "replaying", "done");
    private final HttpServer server;
    private final Map<String, ObjectNode> views = new LinkedHashMap<>();
    private final Map<String, Deque<ObjectNode>> pending = new LinkedHashMap<>();
    /** Whether the next verification passes. */
    volatile boolean verificationPasses = true;
    /** How many of the next event streams end right after their first event, as when the admin API restarts. */
    volatile int streamsToCut;
    /** Every "METHOD path" received, in order. */
    final List<String> calls = new ArrayList<>();
    private int serial;

    MigrationsApiStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    synchronized ObjectNode view(String id) {
        return views.get(id);
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        String query = ex.getRequestURI().getQuery();
        synchronized (this) {
            calls.add(method + " " + path);
        }
        String[] parts = path.split("/");
        try (ex) {
            if (path.equals("/v1/migrations") && method.equals("POST")) {
                create(ex, JSON.readTree(ex.getRequestBody()));
            } else if (path.equals("/v1/migrations")) {
                list(ex, query == null ? null : query.replace("group=", ""));
            } else if (parts.length == 4 && view(parts[3]) == null) {
                send(ex, 404, error("no such migration", parts[3]));
            } else if (parts.length == 4) {
                send(ex, 200, view(parts[3]));
            } else if (parts.length == 5 && parts[4].equals("events")) {
                events(ex, parts[3]);
            } else if (parts.length == 5) {
                act(ex, parts[3], parts[4]);
            } else {
                send(ex, 404, error("no route", path));
            }
        }
    }

    private synchronized void create(HttpExchange ex, JsonNode body) throws IOException {
        String group = body.path("group").asText();
        if (body.path("dryRun").asBoolean()) {
            ObjectNode dry = JSON.createObjectNode().put("dryRun", true).put("group", group).put("ok", verificationPasses);
            dry.set("report", report(verificationPasses));
            send(ex, 200, dry);
            return;
        }
        for (ObjectNode v : views.values()) {
            if (v.path("group").asText().equals(group) && MigrationText.inProgress(v)) {
                send(ex, 409, error("migration in progress", "group " + group + " has " + v.path("id").asText())
                        .put("migration", v.path("id").asText()));
                return;
            }
        }
        String id = "mig-" + (++serial);
        ObjectNode v = JSON.createObjectNode().put("id", id).put("group", group).put("state", "scheduled")
                .put("writes", body.path("writes").asText());
        v.set("from", JSON.createObjectNode().<ObjectNode>set("backends", JSON.createArrayNode().add("10.0.0.12:80"))
                .set("spares", JSON.createArrayNode()));
        v.set("to", body.path("to"));
        v.put("maxReadOnlySeconds", body.path("maxReadOnlySeconds").asInt(900)).putNull("start");
        v.put("createdAt", now()).put("updatedAt", now()).putNull("readOnlySince").put("readOnlySeconds", 0)
                .put("overdue", false).putNull("report").putNull("spool");
        ArrayNode steps = v.putArray("steps");
        STEPS.forEach(s -> steps.addObject().put("step", s).put("status", "planned").putNull("startedAt")
                .putNull("endedAt").putNull("outcome"));
        views.put(id, v);
        // read-only starts, is confirmed, and the migration waits for the copy: three events on the stream.
        Deque<ObjectNode> next = new ArrayDeque<>();
        next.add(step(v, "read-only", "running", null, "read-only"));
        next.add(step(next.getLast(), "read-only", "done", "read-only (writes queue) confirmed by 1 of 1 gateway(s)", "read-only"));
        next.getLast().put("readOnlySince", now()).put("readOnlySeconds", 2);
        next.add(step(next.getLast(), "awaiting-copy", "running", null, "awaiting-copy"));
        pending.put(id, next);
        ex.getResponseHeaders().add("Location", "/v1/migrations/" + id);
        send(ex, 201, v);
    }

    private synchronized void act(HttpExchange ex, String id, String action) throws IOException {
        ObjectNode v = views.get(id);
        String state = v.path("state").asText();
        Deque<ObjectNode> next = new ArrayDeque<>();
        if (action.equals("continue") && (state.equals("awaiting-copy") || state.equals("verification-failed"))) {
            ObjectNode started = step(v, state.equals("awaiting-copy") ? "awaiting-copy" : "verifying", "done", "data copied", "verifying");
            started = step(started, "verifying", "running", null, "verifying");
            views.put(id, started);
            if (verificationPasses) {
                next.add(step(started, "verifying", "done", "every host passed", "cutover"));
                for (String s : List.of("cutover", "open", "replaying")) {
                    next.add(step(next.getLast(), s, "done", s + " ok", s));
                }
                next.add(step(next.getLast(), "done", "done", null, "done"));
                next.getLast().set("spool", JSON.createObjectNode().put("delivered", 2).put("failed", 0));
            } else {
                next.add(step(started, "verifying", "failed", "1 problem", "verification-failed"));
                next.getLast().set("report", report(false));
            }
        } else if (action.equals("abort") && STEPS.indexOf(state) < STEPS.indexOf("cutover")) {
            next.add(step(v, state.equals("verification-failed") ? "verifying" : state, "skipped", "aborted", "aborted"));
        } else {
            send(ex, 409, error("not now", "migration " + id + " is " + state));
            return;
        }
        pending.put(id, next);
        send(ex, 200, views.get(id));
    }

    private void list(HttpExchange ex, String group) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode all = body.putArray("migrations");
        synchronized (this) {
            List<ObjectNode> newestFirst = new ArrayList<>(views.values());
            java.util.Collections.reverse(newestFirst);
            newestFirst.stream().filter(v -> group == null || v.path("group").asText().equals(group)).forEach(all::add);
        }
        send(ex, 200, body);
    }

    /** The current view, then the pending ones, then keep-alives; ends after done or aborted, like the server. */
    private void events(HttpExchange ex, String id) throws IOException {
        Deque<ObjectNode> next;
        ObjectNode current;
        boolean cut;
        synchronized (this) {
            current = views.get(id);
            cut = streamsToCut > 0;
            streamsToCut -= cut ? 1 : 0;
            next = cut ? new ArrayDeque<>() : pending.getOrDefault(id, new ArrayDeque<>());
            if (!cut) {
                pending.remove(id);
            }
        }
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        try {
            event(out, current);
            for (ObjectNode v : next) {
                synchronized (this) {
                    views.put(id, v);
                }
                out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                event(out, v);
                current = v;
            }
            if (cut || !MigrationText.inProgress(current)) {
                return;
            }
            // Like the server's keep-alives, until the client hangs up.
            while (true) {
                out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
            }
        } catch (IOException e) {
            // the client closed the stream: it stopped following
        }
    }

    private static void event(OutputStream out, JsonNode v) throws IOException {
        out.write(("event: migration\ndata: " + v + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static ObjectNode step(ObjectNode v, String step, String status, String outcome, String state) {
        ObjectNode copy = v.deepCopy().put("state", state).put("updatedAt", now());
        for (JsonNode s : copy.path("steps")) {
            if (s.path("step").asText().equals(step)) {
                ObjectNode o = (ObjectNode) s;
                if (o.path("startedAt").isNull()) {
                    o.put("startedAt", now());
                }
                o.put("status", status);
                if (!status.equals("running")) {
                    o.put("endedAt", now());
                }
                if (outcome != null) {
                    o.put("outcome", outcome);
                }
            }
        }
        return copy;
    }

    static ObjectNode report(boolean ok) {
        ObjectNode r = JSON.createObjectNode().put("ok", ok).put("path", "/").put("checkedAt", now()).put("tookMillis", 12);
        ArrayNode problems = r.putArray("problems");
        ObjectNode byAddress = r.putObject("hosts").putObject("alice.gallery.example").putObject("backends").putObject("10.0.0.13:80");
        byAddress.putObject("10.0.0.13:80").put("status", 200).put("title", "Alice").put("verdict", "ok");
        ObjectNode v6 = byAddress.putObject("[::1]:80").put("status", 200).put("title", ok ? "Alice" : "Welcome to nginx!")
                .put("verdict", ok ? "ok" : "fail");
        if (!ok) {
            v6.put("reason", "default page: Welcome to nginx!");
            problems.add("host alice.gallery.example, backend 10.0.0.13:80, address [::1]:80: default page: Welcome to nginx!");
        }
        return r;
    }

    private static ObjectNode error(String error, String detail) {
        return JSON.createObjectNode().put("error", error).put("detail", detail);
    }

    private static String now() {
        return Instant.now().toString();
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
