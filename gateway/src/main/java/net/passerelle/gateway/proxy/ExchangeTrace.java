package net.passerelle.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import net.passerelle.gateway.proxy.ProxyListener.Outcome;
import net.passerelle.gateway.routing.Backend;
import net.passerelle.gateway.routing.GroupRoute;

/**
 * The measurements of one exchange for its {@link ExchangeRecord}: kept beside the exchange (and reused with it),
 * filled by the stages as they go, read by the listeners at the end.
 */
final class ExchangeTrace implements ExchangeRecord {
    private final Exchange ex;
    private String method;
    private String target;
    private String protocol;
    int status;
    Outcome outcome;
    long bytesOut;
    Backend backend;
    int connectFailures;
    long connectNanos;
    /** Time waiting for the backend to answer fewer requests at once ({@code upstream.maxPendingPerBackend}); -1: none. */
    long queueNanos;
    long firstByteNanos;
    private long totalNanos;
    /** When the request was written to the backend (System.nanoTime), for the first-byte time. */
    long sentNanos;

    ExchangeTrace(Exchange ex) {
        this.ex = ex;
    }

    void begin(HttpRequest req) {
        method = req == null ? null : req.method().name();
        target = req == null ? null : req.uri();
        protocol = req == null || req.protocolVersion().equals(HttpVersion.HTTP_1_1) ? "HTTP/1.1" : req.protocolVersion().text();
        status = 0;
        outcome = null;
        bytesOut = 0;
        backend = null;
        connectFailures = 0;
        connectNanos = -1;
        queueNanos = -1;
        firstByteNanos = -1;
        sentNanos = 0;
    }

    void end(Outcome how) {
        outcome = how;
        totalNanos = System.nanoTime() - ex.startNanos;
    }

    @Override
    public String requestId() {
        return ex.requestId;
    }

    @Override
    public String clientAddress() {
        return ex.client.info().addressText();
    }

    @Override
    public String host() {
        return ex.host != null ? ex.host : ex.hostHeader;
    }

    @Override
    public GroupRoute group() {
        return ex.group;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public String userAgent() {
        return ex.request == null ? null : ex.request.headers().get(HttpHeaderNames.USER_AGENT);
    }

    @Override
    public String referer() {
        return ex.request == null ? null : ex.request.headers().get(HttpHeaderNames.REFERER);
    }

    @Override
    public String protocol() {
        String fromClient = ex.client.info().protocol();
        return fromClient != null ? fromClient : protocol;
    }

    @Override
    public String tlsProtocol() {
        return ex.client.info().tlsProtocol();
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public Outcome outcome() {
        return outcome;
    }

    @Override
    public long bytesIn() {
        return ex.bodyBytes;
    }

    @Override
    public long bytesOut() {
        return bytesOut;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public int connectFailures() {
        return connectFailures;
    }

    @Override
    public long queueNanos() {
        return queueNanos;
    }

    @Override
    public long connectNanos() {
        return connectNanos;
    }

    @Override
    public long firstByteNanos() {
        return firstByteNanos;
    }

    @Override
    public long totalNanos() {
        return totalNanos;
    }
}
