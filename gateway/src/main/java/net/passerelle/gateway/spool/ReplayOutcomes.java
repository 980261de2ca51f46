package net.passerelle.gateway.spool;

/**
 * Hears the outcome of each replay attempt, on the replayer's thread, after the outcome is on disk:
 * {@link EntryStatus#DELIVERED}, {@link EntryStatus#PENDING} (it failed and will be retried) or
 * {@link EntryStatus#FAILED_FINAL}. Must not block.
 */
@FunctionalInterface
public interface ReplayOutcomes {
    ReplayOutcomes NONE = (group, status) -> { };

    void outcome(String group, EntryStatus status);
}
