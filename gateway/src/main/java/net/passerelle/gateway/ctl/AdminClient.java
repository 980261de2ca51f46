package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** One admin API over {@link HttpClient}: a call is a method, a path and an optional JSON body; the answer keeps its raw text. */
final class AdminClient {
    static final ObjectMapper JSON = new ObjectMapper();

    /** The API's answer: status, body as sent (for {@code --json}), and the body parsed when it is JSON. */
    record Answer(int status, String body, JsonNode json) {
        String errorLine() {
            if (json != null && json.hasNonNull("error")) {
                return json.path("error").asText() + ": " + json.path("detail").asText();
            }
            return "HTTP " + status;
        }
    }

    private final URI base;
    private final String token;
    private final String actor;
    private final Duration timeout;
    private final HttpClient http;

    AdminClient(URI base, String token, String actor, Duration timeout) {
        this.base = base;
        this.token = token;
        this.actor = actor;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    URI base() {
        return base;
    }

    Answer get(String path) {
        return call("GET", path, null);
    }

    Answer call(String method, String path, Object body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .header("Accept", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (actor != null) {
            b.header("X-Passerelle-Actor", actor);
        }
        try {
            if (body == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            JsonNode json = null;
            if (r.headers().firstValue("content-type").orElse("").startsWith("application/json") && !r.body().isEmpty()) {
                json = JSON.readTree(r.body());
            }
            return new Answer(r.statusCode(), r.body(), json);
        } catch (HttpTimeoutException e) {
            throw new CtlException(Exit.FAILURE, "no answer from the admin API at " + base + " within " + timeout.toSeconds() + " s");
        } catch (ConnectException e) {
            throw new CtlException(Exit.FAILURE, "cannot reach the admin API at " + base + " (connection refused): is the gateway"
                    + " running, and is --admin right?");
        } catch (IOException e) {
            throw new CtlException(Exit.FAILURE, "cannot talk to the admin API at " + base + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException(Exit.FAILURE, "interrupted");
        }
    }

    /** One path segment, percent-encoded. */
    static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
