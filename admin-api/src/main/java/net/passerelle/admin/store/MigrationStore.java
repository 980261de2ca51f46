package net.passerelle.admin.store;

import net.passerelle.admin.model.Migration;
import net.passerelle.admin.model.MigrationState;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Migrations in the store, shared by every admin process of the fleet.
 *
 * <h2>Who changes what</h2>
 * Every change is a compare-and-set ({@link #apply}): it names the states it expects the migration in and, for a
 * driver, the lock it holds; it is written whole, with its step entries and their audit entries
 * ({@code migration.<step>}, target the group, the migration id and outcome in {@code after}), only if the
 * migration is still in one of those states and the lock still held at the store's clock. So a driver that lost
 * its lock, or raced an abort, changes nothing and finds out from the answer.
 *
 * <h2>Locks</h2>
 * A driver {@link #claim claims} a migration before working on it: it gets the lock if nobody holds it, if it holds
 * it already (a renewal), or if the holder's time has passed by the store's clock (the holder died or froze). The
 * fleet's clocks need not agree.
 */
public interface MigrationStore {

    /**
     * Records a new migration, in state {@code scheduled} with its scheduled step running, for a group that exists
     * and has no migration in progress; the check and the insert are one transaction guarded by a unique key.
     *
     * @throws NotFoundException        when the group does not exist
     * @throws ActiveMigrationException when the group has a migration that is not finished
     */
    Migration create(String actor, Migration migration);

    Optional<Migration> find(String id);

    /** Migrations newest first, of {@code group} only when it is not null; at most {@code limit}. */
    List<Migration> list(String group, int limit);

    /** The migrations not finished, which a driver may have work for. */
    List<Migration> active();

    /** How many migrations are in each state (states without one are absent), for the metrics. */
    Map<MigrationState, Integer> countByState();

    /** Takes or renews the lock on an active migration for {@code owner}, until the store's clock plus {@code ttl}. */
    boolean claim(String id, String owner, Duration ttl);

    /** Gives the lock up (the owner stops, or has nothing to do for a while); a no-op if it is not the owner's. */
    void release(String id, String owner);

    /**
     * Applies {@code change} if the migration is in one of {@code expected} and, when {@code owner} is not null,
     * its lock is held by {@code owner} at the store's clock.
     *
     * @return whether it was applied
     */
    boolean apply(String actor, String id, Set<MigrationState> expected, String owner, MigrationChange change);
}
