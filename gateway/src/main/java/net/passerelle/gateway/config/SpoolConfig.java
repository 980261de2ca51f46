package net.passerelle.gateway.config;

import java.time.Duration;

/**
 * The on-disk spool of queued writes. A write is acknowledged (202) only once it is fsynced here; quotas and
 * free-space limits turn it into the 503 reject instead.
 */
public record SpoolConfig(String dir, DataSize maxBytesPerGroup, DataSize maxEntryBytes, DataSize minFreeBytes,
                          DataSize maxBufferedBytes, Integer ioThreads, Duration keepOutcomes, SpoolReplayConfig replay) {
    public SpoolConfig {
        dir = dir == null || dir.isBlank() ? "./data/spool" : dir;
        maxBytesPerGroup = maxBytesPerGroup == null ? DataSize.parse("1GiB") : maxBytesPerGroup;
        maxEntryBytes = maxEntryBytes == null ? DataSize.parse("256MiB") : maxEntryBytes;
        minFreeBytes = minFreeBytes == null ? DataSize.parse("512MiB") : minFreeBytes;
        maxBufferedBytes = maxBufferedBytes == null ? DataSize.parse("256KiB") : maxBufferedBytes;
        ioThreads = ioThreads == null ? 4 : ioThreads;
        keepOutcomes = keepOutcomes == null ? Duration.ofDays(7) : keepOutcomes;
        replay = replay == null ? new SpoolReplayConfig(null, null, null, null, null) : replay;
    }

    public SpoolConfig(String dir) {
        this(dir, null, null, null, null, null, null, null);
    }
}
