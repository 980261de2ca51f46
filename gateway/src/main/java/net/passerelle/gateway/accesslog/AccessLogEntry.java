package net.passerelle.gateway.accesslog;

import com.fasterxml.jackson.core.JsonGenerator;
import net.logstash.logback.marker.LogstashMarker;

import java.io.IOException;

/**
 * One access-log line, copied from the exchange on the event loop (everything is already a string or a number) and
 * written as JSON fields by the logging thread. A Logstash marker, so the encoder asks it to write itself: nothing is
 * formatted on the request path.
 */
final class AccessLogEntry extends LogstashMarker {
    private final String requestId;
    private final String client;
    private final String host;
    private final String group;
    private final String method;
    private final String path;
    private final int status;
    private final String outcome;
    private final long bytesIn;
    private final long bytesOut;
    private final String backend;
    private final int connectFailures;
    private final long queueNanos;
    private final long connectNanos;
    private final long firstByteNanos;
    private final long totalNanos;
    private final String protocol;
    private final String tls;
    private final String userAgent;
    private final String referer;

    @SuppressWarnings("checkstyle:ParameterNumber")
    AccessLogEntry(String requestId, String client, String host, String group, String method, String path, int status,
                   String outcome, long bytesIn, long bytesOut, String backend, int connectFailures, long queueNanos,
                   long connectNanos, long firstByteNanos, long totalNanos, String protocol, String tls, String userAgent,
                   String referer) {
        super("ACCESS");
        this.requestId = requestId;
        this.client = client;
        this.host = host;
        this.group = group;
        this.method = method;
        this.path = path;
        this.status = status;
        this.outcome = outcome;
        this.bytesIn = bytesIn;
        this.bytesOut = bytesOut;
        this.backend = backend;
        this.connectFailures = connectFailures;
        this.queueNanos = queueNanos;
        this.connectNanos = connectNanos;
        this.firstByteNanos = firstByteNanos;
        this.totalNanos = totalNanos;
        this.protocol = protocol;
        this.tls = tls;
        this.userAgent = userAgent;
        this.referer = referer;
    }

    @Override
    public void writeTo(JsonGenerator g) throws IOException {
        g.writeStringField("requestId", requestId);
        string(g, "client", client);
        string(g, "host", host);
        string(g, "group", group);
        string(g, "method", method);
        string(g, "path", path);
        g.writeNumberField("status", status);
        g.writeStringField("outcome", outcome);
        g.writeNumberField("bytesIn", bytesIn);
        g.writeNumberField("bytesOut", bytesOut);
        string(g, "backend", backend);
        if (connectFailures > 0) {
            g.writeNumberField("connectFailures", connectFailures);
        }
        millis(g, "queueMs", queueNanos);
        millis(g, "connectMs", connectNanos);
        millis(g, "firstByteMs", firstByteNanos);
        millis(g, "totalMs", totalNanos);
        g.writeStringField("protocol", protocol);
        string(g, "tls", tls);
        string(g, "userAgent", userAgent);
        string(g, "referer", referer);
    }

    private static void string(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    /** Milliseconds with microsecond precision; absent when the step did not happen. */
    private static void millis(JsonGenerator g, String name, long nanos) throws IOException {
        if (nanos >= 0) {
            g.writeNumberField(name, Math.round(nanos / 1_000.0) / 1_000.0);
        }
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
