package net.passerelle.gateway.accesslog;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.FileSize;
import net.logstash.logback.composite.loggingevent.LoggingEventFormattedTimestampJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventJsonProviders;
import net.logstash.logback.composite.loggingevent.LogstashMarkersJsonProvider;
import net.logstash.logback.encoder.LoggingEventCompositeJsonEncoder;
import net.passerelle.gateway.config.AccessLogConfig;
import org.slf4j.LoggerFactory;

/**
 * Logback set-up of the access log, in code so that it does not depend on the operator's logging configuration:
 * its own logger ({@value AccessLog#LOGGER}, not additive), a JSON encoder (time + the entry's fields), and a
 * batching appender ({@link BatchingAppender}) that never blocks the caller: when its queue is full the line is
 * dropped and counted ({@link #dropped()}).
 */
public final class AccessLogAppender implements AutoCloseable {
    private final ch.qos.logback.classic.Logger logger;
    private final BatchingAppender async;

    private AccessLogAppender(ch.qos.logback.classic.Logger logger, BatchingAppender async) {
        this.logger = logger;
        this.async = async;
    }

    /** Attaches the access log's appender; its lines go nowhere else. */
    public static AccessLogAppender install(AccessLogConfig config) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        LoggingEventCompositeJsonEncoder encoder = new LoggingEventCompositeJsonEncoder();
        encoder.setContext(context);
        LoggingEventJsonProviders providers = new LoggingEventJsonProviders();
        LoggingEventFormattedTimestampJsonProvider time = new LoggingEventFormattedTimestampJsonProvider();
        time.setFieldName("time");
        time.setTimeZone("UTC");
        providers.addTimestamp(time);
        providers.addLogstashMarkers(new LogstashMarkersJsonProvider());
        encoder.setProviders(providers);
        encoder.start();

        OutputStreamAppender<ILoggingEvent> sink = config.toStandardOutput() ? console(context, encoder) : file(context, encoder, config);
        BatchingAppender async = new BatchingAppender(sink, config.queueSize());
        async.setContext(context);
        async.setName("access-batching");
        async.start();

        ch.qos.logback.classic.Logger logger = context.getLogger(AccessLog.LOGGER);
        logger.setAdditive(false);
        logger.setLevel(Level.INFO);
        logger.addAppender(async);
        return new AccessLogAppender(logger, async);
    }

    private static OutputStreamAppender<ILoggingEvent> console(LoggerContext context, LoggingEventCompositeJsonEncoder encoder) {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("access-stdout");
        console.setEncoder(encoder);
        console.setImmediateFlush(false); // the batching appender flushes once per batch
        console.start();
        return console;
    }

    private static OutputStreamAppender<ILoggingEvent> file(LoggerContext context, LoggingEventCompositeJsonEncoder encoder,
                                                AccessLogConfig config) {
        RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
        file.setContext(context);
        file.setName("access-file");
        file.setFile(config.path());
        file.setEncoder(encoder);
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(context);
        policy.setParent(file);
        policy.setFileNamePattern(config.path() + ".%d{yyyy-MM-dd}.%i.gz");
        policy.setMaxFileSize(new FileSize(config.maxFileSize().bytes()));
        policy.setMaxHistory(config.maxHistory());
        policy.setTotalSizeCap(new FileSize(config.totalSizeCap().bytes()));
        policy.start();
        FastGzipCompressor.install(policy);
        file.setRollingPolicy(policy);
        file.setImmediateFlush(false); // the batching appender flushes once per batch
        // Logback's 8 KiB buffer meant a write syscall every ~25 lines, a sixth of the writer thread's time under
        // load; at 64 KiB a batch of 200 ms at 40,000 requests/s is about 40 writes instead of 330.
        file.setBufferSize(new FileSize(64 * 1024));
        file.start();
        if (!file.isStarted()) {
            LoggerFactory.getLogger(AccessLogAppender.class).error("access log: cannot write accessLog.path {} ({}): the gateway"
                    + " serves without it, and every line it would have written is counted in"
                    + " passerelle_access_log_dropped_total; fix the path or its permissions and restart",
                    config.path(), why(context, file));
        }
        return file;
    }

    /** Logback says why an appender did not start only in its status list: the last error about that appender. */
    private static String why(LoggerContext context, Object appender) {
        String reason = "Logback did not say why";
        for (Status status : context.getStatusManager().getCopyOfStatusList()) {
            if (status.getLevel() == Status.ERROR && status.getOrigin() == appender) {
                Throwable cause = status.getThrowable();
                reason = cause == null ? status.getMessage() : cause.toString();
            }
        }
        return reason;
    }

    public org.slf4j.Logger logger() {
        return logger;
    }

    /** Lines dropped because the writer could not keep up. */
    public long dropped() {
        return async.dropped.sum();
    }

    /** Writes what is queued and detaches the appender (several gateways in one JVM share the logger: tests). */
    @Override
    public void close() {
        logger.detachAppender(async);
        async.stop();
    }
}
