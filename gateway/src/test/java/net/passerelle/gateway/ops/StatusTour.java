package net.passerelle.gateway.ops;

import net.passerelle.gateway.testing.OpsGateway;

import java.util.Set;
import java.util.TreeSet;

/**
 * Calls every route of the admin API in the ways that make it answer each of its statuses, in an order that sets up
 * what the next call needs, and records "METHOD /pattern STATUS" for each answer. A "lagging" call is made while a
 * second, silent gateway is live, so that the fleet's confirmation times out (202).
 */
final class StatusTour {
    private final OpsGateway ops;
    private final Set<String> seen = new TreeSet<>();
    private final String stub;

    StatusTour(OpsGateway ops) {
        this.ops = ops;
        this.stub = ops.backend.hostPort();
    }

    Set<String> run() throws Exception {
        staticAndReads();
        groups();
        modesAndWindows();
        cutoverAndBackends();
        spool();
        migrations();
        hosts();
        certificates();
        return seen;
    }

    private void call(String method, String pattern, String path, String body) throws Exception {
        seen.add(method + " " + pattern + " " + ops.admin(method, path, body).status());
    }

    private void lagging(String method, String pattern, String path, String body) throws Exception {
        ops.gateway.storeSync().store().heartbeat("silent-gateway", 0, "never applies");
        try {
            call(method, pattern, path, body);
        } finally {
            ops.gateway.storeSync().store().forgetGateway("silent-gateway");
        }
    }

    private void staticAndReads() throws Exception {
        call("GET", "/healthz", "/healthz", null);
        call("GET", "/readyz", "/readyz", null);
        call("GET", "/metrics", "/metrics", null);
        call("GET", "/", "/", null);
        call("GET", "/ops/{file}", "/ops/ops.js", null);
        call("GET", "/ops/{file}", "/ops/secrets.txt", null);
        call("GET", "/v1/openapi.json", "/v1/openapi.json", null);
        call("GET", "/v1/groups", "/v1/groups", null);
        call("GET", "/v1/gateways", "/v1/gateways", null);
        forgetGateways();
        call("GET", "/v1/audit", "/v1/audit?limit=3", null);
        call("GET", "/v1/audit", "/v1/audit?limit=0", null);
    }

    /** A live gateway cannot be forgotten (409); a stopped one can (200), once (404). */
    private void forgetGateways() throws Exception {
        var store = ops.gateway.storeSync().store();
        String d = "/v1/gateways/{id}";
        store.heartbeat("silent-gateway", 0, "live by its heartbeat");
        try {
            call("DELETE", d, "/v1/gateways/silent-gateway", null);
        } finally {
            store.forgetGateway("silent-gateway");
        }
        store.renewLease("gone-gateway", 0, null, java.time.Duration.ofSeconds(30));
        store.releaseLease("gone-gateway");
        call("DELETE", d, "/v1/gateways/gone-gateway", null);
        call("DELETE", d, "/v1/gateways/gone-gateway", null);
    }

    private void groups() throws Exception {
        String g = "/v1/groups/{group}";
        call("GET", g, "/v1/groups/srv-12", null);
        call("GET", g, "/v1/groups/Not_A_Name", null);
        call("GET", g, "/v1/groups/nope", null);
        call("PUT", g, "/v1/groups/tmp", "{\"backends\": [\"" + stub + "\"]}");
        call("PUT", g, "/v1/groups/tmp2", "{\"spares\": []}");
        seen.add("PUT " + g + " " + ops.admin("PUT", "/v1/groups/tmp", "backends=x", true, "text/plain").status());
        lagging("PUT", g, "/v1/groups/tmp", "{\"spares\": []}");
        call("DELETE", g, "/v1/groups/tmp", null);
        call("DELETE", g, "/v1/groups/tmp", null);
        call("DELETE", g, "/v1/groups/srv-12", null);
    }

    private void modesAndWindows() throws Exception {
        String m = "/v1/groups/{group}/mode";
        call("PUT", m, "/v1/groups/srv-13/mode", "{\"mode\": \"maintenance\"}");
        lagging("PUT", m, "/v1/groups/srv-13/mode", "{\"mode\": \"read-only\"}");
        call("PUT", m, "/v1/groups/srv-13/mode", "{\"writes\": \"queue\"}");
        call("PUT", m, "/v1/groups/nope/mode", "{\"mode\": \"open\"}");
        seen.add("PUT " + m + " " + ops.admin("PUT", "/v1/groups/srv-13/mode", "mode=open", true, "text/plain").status());
        String w = "/v1/groups/{group}/window";
        String window = "{\"start\": \"2030-01-01T08:00:00Z\", \"end\": \"2030-01-01T09:00:00Z\", \"mode\": \"read-only\"}";
        call("PUT", w, "/v1/groups/srv-13/window", window);
        lagging("PUT", w, "/v1/groups/srv-13/window", window);
        call("PUT", w, "/v1/groups/srv-13/window", "{\"start\": \"soon\", \"end\": \"later\", \"mode\": \"read-only\"}");
        call("PUT", w, "/v1/groups/nope/window", window);
        call("DELETE", w, "/v1/groups/srv-13/window", null);
        lagging("DELETE", w, "/v1/groups/srv-13/window", null);
        call("DELETE", w, "/v1/groups/nope/window", null);
    }

    private void cutoverAndBackends() throws Exception {
        String c = "/v1/groups/{group}/cutover";
        String to = "{\"backends\": [\"" + stub + "\"]}";
        call("POST", c, "/v1/groups/srv-12/cutover", to);
        lagging("POST", c, "/v1/groups/srv-12/cutover", to);
        call("POST", c, "/v1/groups/srv-12/cutover", "{\"backends\": []}");
        call("POST", c, "/v1/groups/nope/cutover", to);
        call("POST", c, "/v1/groups/srv-12/cutover", "{\"backends\": [\"127.0.0.1:1\"]}");
        String s = "/v1/groups/{group}/backends/{backend}/state";
        call("PUT", s, "/v1/groups/srv-12/backends/" + stub + "/state", "{\"state\": \"drain\"}");
        lagging("PUT", s, "/v1/groups/srv-12/backends/" + stub + "/state", "{\"state\": \"ready\"}");
        call("PUT", s, "/v1/groups/srv-12/backends/" + stub + "/state", "{\"state\": \"asleep\"}");
        call("PUT", s, "/v1/groups/srv-12/backends/127.0.0.1:1/state", "{\"state\": \"drain\"}");
        call("GET", "/v1/groups/{group}/health", "/v1/groups/srv-12/health", null);
        call("GET", "/v1/groups/{group}/health", "/v1/groups/nope/health", null);
    }

    private void spool() throws Exception {
        ops.admin("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\", \"writes\": \"queue\"}");
        if (ops.post(OpsGateway.ALICE).status() != 202) {
            throw new AssertionError("the write was not queued");
        }
        String sp = "/v1/groups/{group}/spool";
        OpsGateway.Answer list = ops.admin("GET", "/v1/groups/srv-12/spool", null);
        seen.add("GET " + sp + " " + list.status());
        call("GET", sp, "/v1/groups/nope/spool", null);
        String ref = list.json().path("entries").get(0).path("ref").asText();
        String d = "/v1/groups/{group}/spool/{ref}";
        call("DELETE", d, "/v1/groups/srv-12/spool/" + ref, null);
        call("DELETE", d, "/v1/groups/srv-12/spool/" + ref, null);
        call("DELETE", d, "/v1/groups/srv-12/spool/no-such-ref", null);
        ops.admin("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"open\"}");
        call("POST", sp + "/replay", "/v1/groups/srv-12/spool/replay", null);
        call("POST", sp + "/replay", "/v1/groups/nope/spool/replay", null);        requeue(sp);
    }

    /** A write the backend refuses for good (403) is failed-final; requeued, it goes back in the queue once. */
    private void requeue(String sp) throws Exception {
        ops.admin("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\", \"writes\": \"queue\"}");
        if (ops.post(OpsGateway.ALICE).status() != 202) {
            throw new AssertionError("the write was not queued");
        }
        ops.backend.respondWith(net.passerelle.gateway.testing.StubBackend.raw("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n"));
        ops.admin("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"open\"}");
        String ref = null;
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (ref == null && System.nanoTime() < deadline) {
            for (var e : ops.admin("GET", "/v1/groups/srv-12/spool", null).json().path("entries")) {
                if ("failed-final".equals(e.path("status").asText())) {
                    ref = e.path("ref").asText();
                }
            }
            Thread.onSpinWait();
        }
        if (ref == null) {
            throw new AssertionError("the refused write did not become failed-final");
        }
        ops.backend.respondWith(net.passerelle.gateway.testing.StubBackend.text("hello from the backend"));
        String rq = sp + "/{ref}/requeue";
        call("POST", rq, "/v1/groups/srv-12/spool/" + ref + "/requeue", null);
        call("POST", rq, "/v1/groups/srv-12/spool/" + ref + "/requeue", null);
        call("POST", rq, "/v1/groups/srv-12/spool/no-such-ref/requeue", null);
    }

    private void migrations() throws Exception {
        String m = "/v1/migrations";
        String one = m + "/{id}";
        String to = "{\"group\": \"srv-12\", \"to\": {\"backends\": [\"" + stub + "\"]}";
        call("POST", m, m, to + ", \"dryRun\": true}");
        call("POST", m, m, "{\"group\": \"srv-12\"}");
        seen.add("POST " + m + " " + ops.admin("POST", m, "group=srv-12", true, "text/plain").status());
        call("POST", m, m, "{\"group\": \"nope\", \"to\": {\"backends\": [\"" + stub + "\"]}}");
        OpsGateway.Answer first = ops.admin("POST", m, to + ", \"writes\": \"reject\"}");
        seen.add("POST " + m + " " + first.status());
        call("POST", m, m, to + "}");
        String id = first.json().path("id").asText();
        call("GET", m, m, null);
        call("GET", m, m + "?group=srv-12", null);
        call("GET", one, m + "/" + id, null);
        call("GET", one, m + "/mig-none", null);
        call("POST", one + "/abort", m + "/" + id + "/abort", null);
        call("POST", one + "/abort", m + "/" + id + "/abort", null);
        call("POST", one + "/abort", m + "/mig-none/abort", null);
        call("POST", one + "/continue", m + "/" + id + "/continue", null);
        call("POST", one + "/continue", m + "/mig-none/continue", null);
        // The stream of a migration that ended ends too: its answer can be read whole.
        call("GET", one + "/events", m + "/" + id + "/events", null);
        call("GET", one + "/events", m + "/mig-none/events", null);
        String second = ops.admin("POST", m, to + ", \"writes\": \"reject\"}").json().path("id").asText();
        awaitState(second, "awaiting-copy");
        // The group belongs to its migration until it is done: a mode or backends set by hand meanwhile is refused.
        call("PUT", "/v1/groups/{group}/mode", "/v1/groups/srv-12/mode", "{\"mode\": \"open\"}");
        call("PUT", "/v1/groups/{group}", "/v1/groups/srv-12", "{\"backends\": [\"" + stub + "\"]}");
        call("POST", one + "/continue", m + "/" + second + "/continue", null);
        awaitState(second, "done");
    }

    /** Reads the migration's event stream until a view in {@code state} comes (the stream is the synchronisation). */
    private void awaitState(String id, String state) throws Exception {
        java.net.http.HttpRequest r = java.net.http.HttpRequest.newBuilder(java.net.URI.create(ops.adminUrl() + "/v1/migrations/" + id
                + "/events")).header("Authorization", "Bearer " + OpsGateway.TOKEN).timeout(java.time.Duration.ofSeconds(30)).build();
        java.net.http.HttpResponse<java.util.stream.Stream<String>> events = java.net.http.HttpClient.newHttpClient()
                .send(r, java.net.http.HttpResponse.BodyHandlers.ofLines());
        try (java.util.stream.Stream<String> lines = events.body()) {
            if (lines.noneMatch(l -> l.startsWith("data:") && l.contains("\"state\":\"" + state + "\""))) {
                throw new AssertionError(id + " never reached " + state);
            }
        }
    }

    /** Needs TLS with ACME on, and bob's certificate from a file. */
    private void certificates() throws Exception {
        call("GET", "/v1/certificates", "/v1/certificates", null);
        String renew = "/v1/certificates/{host}/renew";
        call("POST", renew, "/v1/certificates/" + OpsGateway.ALICE + "/renew", null);
        call("POST", renew, "/v1/certificates/bad..host/renew", null);
        call("POST", renew, "/v1/certificates/unknown.example/renew", null);
        call("POST", renew, "/v1/certificates/" + OpsGateway.BOB + "/renew", null);
    }

    private void hosts() throws Exception {
        call("GET", "/v1/hosts", "/v1/hosts", null);
        call("GET", "/v1/hosts", "/v1/hosts?group=Not_A_Name", null);
        call("GET", "/v1/hosts", "/v1/hosts?group=nope", null);
        String h = "/v1/hosts/{host}";
        call("GET", h, "/v1/hosts/" + OpsGateway.ALICE, null);
        call("GET", h, "/v1/hosts/bad..host", null);
        call("GET", h, "/v1/hosts/unknown.example", null);
        call("PUT", h, "/v1/hosts/carol.gallery.example", "{\"group\": \"srv-12\", \"account\": \"carol\"}");
        lagging("PUT", h, "/v1/hosts/dave.gallery.example", "{\"group\": \"srv-12\", \"account\": \"dave\"}");
        call("PUT", h, "/v1/hosts/erin.gallery.example", "{\"group\": \"srv-12\"}");
        call("PUT", h, "/v1/hosts/erin.gallery.example", "{\"group\": \"nope\", \"account\": \"erin\"}");
        call("DELETE", h, "/v1/hosts/carol.gallery.example", null);
        lagging("DELETE", h, "/v1/hosts/dave.gallery.example", null);
        call("DELETE", h, "/v1/hosts/carol.gallery.example", null);
    }
}
