package net.passerelle.gateway.config;

import java.time.Duration;

/**
 * Migrations ({@code migrations:}): how the admin processes of the fleet drive them. Every admin process runs a
 * driver; for each unfinished migration, the one that holds its lock in the store works on it.
 *
 * @param pollInterval how often a driver looks for migrations with work to do, and renews the locks it holds (1s)
 * @param lockTtl      how long a lock holds without renewal (30s): after a driver dies, another one resumes its
 *                     migrations this long after its last renewal, by the store's clock. Must exceed pollInterval
 *                     by a wide margin, and the longest step (verification, a fleet confirmation).
 * @param replayWait   at most how long the replaying step waits for the spools of the fleet to drain to the new
 *                     backends before the migration is done anyway (10m): the spools keep replaying on their own,
 *                     and what did not drain is named in the step's outcome
 */
public record MigrationConfig(Duration pollInterval, Duration lockTtl, Duration replayWait) {
    public MigrationConfig {
        pollInterval = pollInterval == null ? Duration.ofSeconds(1) : pollInterval;
        lockTtl = lockTtl == null ? Duration.ofSeconds(30) : lockTtl;
        replayWait = replayWait == null ? Duration.ofMinutes(10) : replayWait;
        if (pollInterval.toMillis() < 10 || lockTtl.compareTo(pollInterval.multipliedBy(3)) < 0) {
            throw new IllegalArgumentException("migrations.pollInterval must be >= 10ms and migrations.lockTtl at least"
                    + " three poll intervals");
        }
        if (replayWait.isNegative()) {
            throw new BadEntry("migrations.replayWait must not be negative", "replayWait");
        }
    }

    public static MigrationConfig defaults() {
        return new MigrationConfig(null, null, null);
    }
}
