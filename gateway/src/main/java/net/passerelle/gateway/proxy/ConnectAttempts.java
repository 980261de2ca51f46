package net.passerelle.gateway.proxy;

import io.netty.channel.ConnectTimeoutException;
import net.passerelle.gateway.health.BackendSelector;
import net.passerelle.gateway.notice.NoticeKind;
import net.passerelle.gateway.routing.Backend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;

/**
 * The backends one exchange could not connect to, and which one it tries next (nginx's {@code proxy_next_upstream
 * error timeout}, HAProxy's {@code redispatch}). Safe for every method, POST included: a connection that never opened
 * carried nothing of the request. Until checks notice that a backend is gone (seconds, in a failover) its share of
 * the traffic would otherwise get 502s although the group has other backends or spares.
 *
 * <p>Bounded ({@link #MAX}, each attempt to a different backend), so that a group whose servers are all gone answers
 * its 502 after a few quick refusals rather than after every backend's connect timeout in turn. Reused with its
 * exchange; the list is made only when some exchange of the connection needs a second attempt.
 */
final class ConnectAttempts {
    /** OriginExchange's: the connect-failure line moved here, and whoever raised that logger to debug still gets it. */
    private static final Logger log = LoggerFactory.getLogger(OriginExchange.class);
    /** Connection attempts per exchange, the first included. */
    static final int MAX = 3;

    private final Exchange ex;
    private ArrayList<Backend> failed;
    private boolean lastTimedOut;

    ConnectAttempts(Exchange ex) {
        this.ex = ex;
    }

    void reset() {
        if (failed != null) {
            failed.clear();
        }
        lastTimedOut = false;
    }

    /**
     * Records that {@code backend} could not be connected to (log, passive health).
     *
     * @return the backend to try instead, or null when the attempts are spent or the group has nothing else to offer
     */
    Backend failed(Backend backend, Throwable cause) {
        log.debug("request {}: cannot connect to backend {} of group {}: {}", ex.requestId, backend,
                ex.group.name(), cause.toString());
        ex.px.health().connectFailed(backend);
        ex.trace.connectFailures++;
        lastTimedOut = cause instanceof ConnectTimeoutException;
        if (failed == null) {
            failed = new ArrayList<>(MAX);
        }
        failed.add(backend);
        return failed.size() >= MAX ? null : BackendSelector.select(ex.group, ex.px.health(), failed);
    }

    /** What the visitor gets when no attempt connected: the last failure decides, as it did before retries. */
    NoticeKind notice() {
        return lastTimedOut ? NoticeKind.GATEWAY_TIMEOUT : NoticeKind.BAD_GATEWAY;
    }
}
