package net.passerelle.gateway.spool;

import net.passerelle.gateway.config.SpoolReplayConfig;
import net.passerelle.gateway.config.SpoolConfig;
import net.passerelle.gateway.config.GatewayConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The spool's tunables, with the defaults documented in {@code deploy/passerelle.example.yml} under {@code spool:}.
 *
 * @param dir               the spool directory (created 0700; entry files are 0600)
 * @param maxBytesPerGroup  default quota of one group: bytes on disk (entries waiting, failed-final kept, writes in
 *                          progress); {@link Spool#begin} may pass a per-group override
 * @param maxEntryBytes     largest single entry (head + body)
 * @param minFreeBytes      writes are refused once the file system's usable space would fall under this
 * @param maxBufferedBytes  a writer accepts a new chunk only while less than this is waiting for the disk
 * @param ioThreads         threads of the dedicated disk executor
 * @param keepOutcomes      how long the outcome of a delivered or discarded entry stays listed (compacted at start)
 * @param replay            replay tunables
 */
public record SpoolSettings(Path dir, long maxBytesPerGroup, long maxEntryBytes, long minFreeBytes,
                            long maxBufferedBytes, int ioThreads, Duration keepOutcomes, ReplaySettings replay) {

    public static final long MiB = 1L << 20;

    public SpoolSettings {
        Objects.requireNonNull(dir, "spool.dir");
        if (maxBytesPerGroup <= 0 || maxEntryBytes <= 0 || minFreeBytes < 0 || maxBufferedBytes < 4096 || ioThreads < 1) {
            throw new IllegalArgumentException("spool: quotas must be > 0, minFreeBytes >= 0, maxBufferedBytes >= 4096, ioThreads >= 1");
        }
        keepOutcomes = keepOutcomes == null ? Duration.ofDays(7) : keepOutcomes;
        replay = replay == null ? ReplaySettings.defaults() : replay;
    }

    /** The settings of the configuration's {@code spool:} section. */
    public static SpoolSettings from(SpoolConfig c) {
        SpoolReplayConfig r = c.replay();
        return new SpoolSettings(Path.of(c.dir()), c.maxBytesPerGroup().bytes(), c.maxEntryBytes().bytes(),
                c.minFreeBytes().bytes(), c.maxBufferedBytes().bytes(), c.ioThreads(), c.keepOutcomes(),
                new ReplaySettings(r.initialBackoff(), r.maxBackoff(), r.maxAttempts(), r.connectTimeout(), r.responseTimeout()));
    }

    public static SpoolSettings defaults(Path dir) {
        return new SpoolSettings(dir, 1024 * MiB, 256 * MiB, 512 * MiB, 256 * 1024, 4, Duration.ofDays(7),
                ReplaySettings.defaults());
    }

    public SpoolSettings withQuotas(long maxBytesPerGroup, long maxEntryBytes, long minFreeBytes) {
        return new SpoolSettings(dir, maxBytesPerGroup, maxEntryBytes, minFreeBytes, maxBufferedBytes, ioThreads,
                keepOutcomes, replay);
    }

    public SpoolSettings withReplay(ReplaySettings replay) {
        return new SpoolSettings(dir, maxBytesPerGroup, maxEntryBytes, minFreeBytes, maxBufferedBytes, ioThreads,
                keepOutcomes, replay);
    }

    /**
     * @param initialBackoff  wait after the first failed attempt; doubled after each further one
     * @param maxBackoff      cap of the wait
     * @param maxAttempts     attempts (connection failures, 5xx, 408, 425, 429, timeouts) before an entry is failed-final
     * @param connectTimeout  connect timeout of one attempt
     * @param responseTimeout time from the end of the request to the response head
     */
    public record ReplaySettings(Duration initialBackoff, Duration maxBackoff, int maxAttempts,
                                 Duration connectTimeout, Duration responseTimeout) {
        public ReplaySettings {
            Objects.requireNonNull(initialBackoff);
            Objects.requireNonNull(maxBackoff);
            Objects.requireNonNull(connectTimeout);
            Objects.requireNonNull(responseTimeout);
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("spool.replay.maxAttempts must be >= 1");
            }
        }

        public static ReplaySettings defaults() {
            return new ReplaySettings(Duration.ofMillis(500), Duration.ofSeconds(30), 8, Duration.ofSeconds(5),
                    Duration.ofSeconds(60));
        }

        /** The wait after attempt {@code attempt} (1-based) failed. */
        public Duration backoff(int attempt) {
            long ms = initialBackoff.toMillis();
            for (int i = 1; i < attempt && ms < maxBackoff.toMillis(); i++) {
                ms *= 2;
            }
            return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
        }
    }
}
