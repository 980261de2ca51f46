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
import java.util.stream.Stream;

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
    private final String tokenNotFound;
    private final String actor;
    private final Duration timeout;
    private final HttpClient http;

    /** @param tokenNotFound with no token: where ctl looked for one, said when the API asks for it; else null */
    AdminClient(URI base, String token, String tokenNotFound, String actor, Duration timeout) {
        this.base = base;
        this.token = token;
        this.tokenNotFound = tokenNotFound;
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
        HttpRequest.Builder b = request(path, "application/json").timeout(timeout);
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
            return unlessTokenMissing(new Answer(r.statusCode(), r.body(), json));
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException(Exit.FAILURE, "interrupted");
        }
    }

    /**
     * A GET whose body is read line by line as it arrives ({@code text/event-stream}). The call has no overall timeout:
     * a stream lasts as long as what it follows, and the server's keep-alive comments are what show it is alive.
     * Closing the returned stream closes the connection. An answer other than 200 is read whole and returned instead.
     */
    Lines lines(String path) {
        HttpRequest r = request(path, "text/event-stream").GET().build();
        try {
            HttpResponse<Stream<String>> response = http.send(r, HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() == 200) {
                return new Lines(response.body(), null);
            }
            String body;
            try (Stream<String> s = response.body()) {
                body = String.join("\n", s.toList());
            }
            JsonNode json = response.headers().firstValue("content-type").orElse("").startsWith("application/json")
                    && !body.isEmpty() ? JSON.readTree(body) : null;
            return new Lines(null, unlessTokenMissing(new Answer(response.statusCode(), body, json)));
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException(Exit.FAILURE, "interrupted");
        }
    }

    /** The lines of a 200 answer, or the answer that was not a 200. */
    record Lines(Stream<String> stream, Answer refusal) {
    }

    /**
     * A 401 to a call made without a token is ctl's failure, not the API's: the API can only say that a header is
     * missing, ctl knows where it looked for a token.
     */
    private Answer unlessTokenMissing(Answer a) {
        if (a.status() != 401 || token != null) {
            return a;
        }
        throw new CtlException(Exit.REFUSED, "the admin API at " + base + " wants a token and ctl found none ("
                + (tokenNotFound != null ? tokenNotFound : "none given") + "). Give it with --token TOKEN,"
                + " PASSERELLE_ADMIN_TOKEN=TOKEN or --token-file FILE, or run ctl with --config FILE of the gateway, or"
                + " from the directory the gateway runs in (its generated token is admin.tokenFile, ./data/admin-token)");
    }

    private HttpRequest.Builder request(String path, String accept) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Accept", accept);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (actor != null) {
            b.header("X-Passerelle-Actor", actor);
        }
        return b;
    }

    private CtlException unreachable(IOException e) {
        if (e instanceof HttpTimeoutException) {
            return new CtlException(Exit.FAILURE, "no answer from the admin API at " + base + " within " + timeout.toSeconds() + " s");
        }
        if (e instanceof ConnectException) {
            return new CtlException(Exit.FAILURE, "cannot reach the admin API at " + base + " (connection refused): is the gateway"
                    + " running, and is --admin right?");
        }
        return new CtlException(Exit.FAILURE, "cannot talk to the admin API at " + base + ": " + e);
    }

    /** One path segment, percent-encoded. */
    static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
