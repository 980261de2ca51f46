package net.passerelle.gateway.config;

import java.time.Duration;

/** How queued writes are replayed once their group leaves read-only. */
public record SpoolReplayConfig(Duration initialBackoff, Duration maxBackoff, Integer maxAttempts,
                                Duration connectTimeout, Duration responseTimeout) {
    public SpoolReplayConfig {
        initialBackoff = initialBackoff == null ? Duration.ofMillis(500) : initialBackoff;
        maxBackoff = maxBackoff == null ? Duration.ofSeconds(30) : maxBackoff;
        maxAttempts = maxAttempts == null ? 8 : maxAttempts;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        responseTimeout = responseTimeout == null ? Duration.ofSeconds(60) : responseTimeout;
    }
}
