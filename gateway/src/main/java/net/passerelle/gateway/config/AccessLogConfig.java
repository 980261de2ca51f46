package net.passerelle.gateway.config;

import java.util.List;
import java.util.Set;

/**
 * {@code accessLog:} one JSON line per request.
 *
 * @param path          a file (rotated daily and by size, old files gzipped), or {@code -} for standard output
 * @param maxFileSize   a file is rolled over when it reaches this size
 * @param maxHistory    days of rolled files kept
 * @param totalSizeCap  all rolled files together; the oldest go first
 * @param queueSize     lines waiting for the writer; when full, new lines are dropped (and counted), never waited for
 * @param redact        query parameters whose values are never written (case-insensitive)
 */
public record AccessLogConfig(Boolean enabled, String path, DataSize maxFileSize, Integer maxHistory,
                              DataSize totalSizeCap, Integer queueSize, List<String> redact) {
    public static final List<String> DEFAULT_REDACT = List.copyOf(Set.of("pwg_token", "password", "pwd", "api_key", "key", "token"));

    public AccessLogConfig {
        enabled = enabled == null || enabled;
        path = path == null || path.isBlank() ? "./data/access.log" : path;
        maxFileSize = maxFileSize == null ? DataSize.ofBytes(100L << 20) : maxFileSize;
        maxHistory = maxHistory == null ? 14 : maxHistory;
        totalSizeCap = totalSizeCap == null ? DataSize.ofBytes(10L << 30) : totalSizeCap;
        queueSize = queueSize == null ? 8192 : queueSize;
        redact = redact == null ? DEFAULT_REDACT : List.copyOf(redact);
        if (queueSize < 16 || maxHistory < 0) {
            throw new IllegalArgumentException("accessLog.queueSize must be >= 16 and accessLog.maxHistory >= 0");
        }
    }

    public static AccessLogConfig defaults() {
        return new AccessLogConfig(null, null, null, null, null, null, null);
    }

    public boolean toStandardOutput() {
        return "-".equals(path);
    }
}
