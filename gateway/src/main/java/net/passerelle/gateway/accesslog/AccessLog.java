package net.passerelle.gateway.accesslog;

import net.passerelle.gateway.proxy.ExchangeRecord;
import net.passerelle.gateway.proxy.ProxyListener;
import org.slf4j.Logger;

/**
 * The access log: one JSON line per exchange, written once at its end, whatever the outcome (proxied, notice,
 * queued, unknown host, guarded, malformed, timed out, aborted). The line is copied here, on the event loop, and
 * encoded and written by the appender's own thread ({@link AccessLogAppender}); when that thread falls behind, lines
 * are dropped and counted, never waited for.
 */
public final class AccessLog implements ProxyListener {
    /** The logger every line goes through; {@link AccessLogAppender} gives it its own appender. */
    public static final String LOGGER = "passerelle.access";

    private final Logger logger;
    private final Redaction redaction;

    public AccessLog(Logger logger, Redaction redaction) {
        this.logger = logger;
        this.redaction = redaction;
    }

    @Override
    public void exchangeDone(ExchangeRecord r) {
        if (!logger.isInfoEnabled()) {
            return;
        }
        logger.info(entry(r), "");
    }

    AccessLogEntry entry(ExchangeRecord r) {
        return new AccessLogEntry(r.requestId(), r.clientAddress(), r.host(), r.group() == null ? null : r.group().name(),
                r.method(), redaction.target(r.target()), r.status(), r.outcome().label(), r.bytesIn(), r.bytesOut(),
                r.backend() == null ? null : r.backend().name(), r.connectFailures(), r.queueNanos(), r.connectNanos(), r.firstByteNanos(), r.totalNanos(),
                r.protocol(), r.tlsProtocol(), r.userAgent(), redaction.target(r.referer()));
    }
}
