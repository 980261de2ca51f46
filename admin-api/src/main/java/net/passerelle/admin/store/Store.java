package net.passerelle.admin.store;

import net.passerelle.admin.model.AuditEntry;
import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.BackendState;
import net.passerelle.admin.model.FleetView;
import net.passerelle.admin.model.GatewayStatus;
import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.HostMapping;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.RoutingState;
import net.passerelle.admin.model.Window;
import net.passerelle.admin.model.WritePolicy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the routing table (groups, hosts) and the fleet's heartbeats live.
 *
 * <h2>Versions</h2>
 * The table has one version number. Every mutation that changes something increments it by exactly one, in the
 * same transaction as the change and its audit entries, so that a reader who sees version {@code n} sees every
 * change up to {@code n} and none after. A mutation that would change nothing (a {@code PUT} of identical
 * content, clearing an absent window) neither increments the version nor writes an audit entry. Reads never
 * change the version. Mutations return the table version after the call.
 *
 * <h2>Errors</h2>
 * Invalid values are refused by the model's constructors ({@link IllegalArgumentException}) before the store is
 * touched. {@link NotFoundException} and {@link ConflictException} are refusals: nothing was changed.
 * {@link StoreException} means the store itself failed (unreachable, timed out); the change was not made.
 *
 * <p>Every {@code actor} is recorded as given in the audit log; it must be non-blank.
 * Implementations are safe for use by many threads, and by many processes on one database.
 */
public interface Store extends AutoCloseable {

    /** The actor recorded for changes made by {@link #seed(List, List)}. */
    String SEED_ACTOR = "seed";

    // ---- reads -------------------------------------------------------------------------------------------

    /** The whole table, consistent at one version. */
    RoutingState load();

    /** The current table version; one indexed single-row read, cheap enough to poll every 200 ms. */
    long version();

    Optional<Group> group(String name);

    /** All groups, by name. */
    List<Group> groups();

    /** The mapping of {@code host} (normalised before lookup; an invalid name is simply absent). */
    Optional<HostMapping> host(String host);

    /** The hosts mapped to {@code group}, by host name; all hosts when {@code group} is null. */
    List<HostMapping> hosts(String group);

    /**
     * Sets a backend's administrative state for the whole fleet: {@link BackendState#READY ready},
     * {@link BackendState#DRAIN drain} (no new requests, in-flight ones finish) or {@link BackendState#MAINT maint}
     * (out, not checked). A change of the table: it bumps the version, so every gateway applies it, and it is audited.
     *
     * @param address the backend as groups write it ({@code host:port}, IPv6 in brackets)
     * @throws NotFoundException when no group uses the backend
     */
    long setBackendState(String actor, String address, BackendState state);

    /** The newest {@code limit} audit entries (1 to 10000), newest first. */
    List<AuditEntry> audit(int limit);

    /**
     * Records an operation that changes something outside the routing table (a queued write discarded, a spool
     * replayed): an audit entry at the current version, which it does not increment.
     */
    void recordEvent(String actor, String action, String target, String before, String after);

    // ---- groups ------------------------------------------------------------------------------------------

    /** Creates the group, or replaces every field of an existing one (backends, mode, window, …). */
    long putGroup(String actor, Group group);

    /**
     * Replaces the backends and spares of an existing group, leaving its mode and window alone (cutover).
     *
     * @throws NotFoundException when the group does not exist
     */
    long setBackends(String actor, String group, List<Backend> backends, List<Backend> spares);

    /**
     * Deletes the group.
     *
     * @throws NotFoundException   when it does not exist
     * @throws GroupInUseException when hosts are mapped to it
     */
    long deleteGroup(String actor, String group);

    /**
     * Sets the group's standing mode. A null {@code writes}, {@code retryAfterSeconds} or {@code message} keeps the
     * current value; an empty {@code message} removes the override.
     *
     * @throws NotFoundException when the group does not exist
     */
    long setMode(String actor, String group, Mode mode, WritePolicy writes, Integer retryAfterSeconds,
                 Map<String, String> message);

    /**
     * Schedules {@code window}, replacing any previous one.
     *
     * @throws NotFoundException when the group does not exist
     */
    long setWindow(String actor, String group, Window window);

    /**
     * Cancels the group's window; a no-op when it has none.
     *
     * @throws NotFoundException when the group does not exist
     */
    long clearWindow(String actor, String group);

    // ---- hosts -------------------------------------------------------------------------------------------

    /**
     * Maps a host (already normalised by {@link HostMapping}) to a group and account, creating or replacing.
     *
     * @throws NotFoundException when the group does not exist ({@link NotFoundException#kind()} is {@code group})
     */
    long putHost(String actor, HostMapping mapping);

    /**
     * Removes a host mapping.
     *
     * @throws NotFoundException when the host is not mapped
     */
    long deleteHost(String actor, String host);

    // ---- seed --------------------------------------------------------------------------------------------

    /**
     * Writes the configuration's seed, in one transaction, as actor {@value #SEED_ACTOR}.
     *
     * <p>The seed creates what it has never created before and never touches anything else: a group or host that
     * exists is left as it is (ops may have changed it through the API), and one that the seed created once and
     * ops deleted since is not brought back. Running it again with the same content changes nothing.
     * Every host must name a group of the seed or of the store, or nothing is written.
     *
     * @return the table version after the seed
     * @throws NotFoundException when a seeded host names a group that exists nowhere
     */
    long seed(List<Group> groups, List<HostMapping> hosts);

    // ---- fleet -------------------------------------------------------------------------------------------

    /**
     * Records that {@code gatewayId} is alive and has applied {@code appliedVersion}, without a lease (how gateways
     * older than leases report; they are judged by the heartbeat's age). Does not change the version.
     */
    void heartbeat(String gatewayId, long appliedVersion, String info);

    /**
     * A heartbeat that also renews the gateway's lease: valid until the store's clock at this call plus
     * {@code lease}. The store's clock is the one {@link #fleet()} judges leases by, so a gateway that counts its
     * lease from the moment it sent this call always sees it end before the store does. Does not change the version.
     *
     * @throws IllegalArgumentException for a blank id or a lease that is not positive
     * @throws StoreException           when the renewal was not recorded: the lease must be taken as not renewed
     */
    void renewLease(String gatewayId, long appliedVersion, String info, Duration lease);

    /** Ends the gateway's lease now (it stops): it is no longer waited for. A no-op for an unknown gateway. */
    void releaseLease(String gatewayId);

    /** Every gateway that reported and is not forgotten, by id; liveness is for the caller to judge from the heartbeat. */
    List<GatewayStatus> gateways();

    /**
     * The store's clock, then every gateway (by id), read in that order: a lease that had ended at
     * {@link FleetView#storeNow()} had not been renewed when its row was read.
     */
    FleetView fleet();

    /** Forgets a gateway (decommissioned); false when it was unknown. Does not change the version. */
    boolean forgetGateway(String gatewayId);

    /**
     * Forgets every gateway that stopped (its lease released or run out) and has not been heard from for
     * {@code quiet}, by the store's clock; returns their ids. Gateways that only heartbeat without a lease are kept.
     * Does not change the version.
     */
    List<String> forgetStoppedGateways(Duration quiet);

    // ---- migrations ------------------------------------------------------------------------------------

    /** The migrations, on the same database (see {@link MigrationStore}). */
    MigrationStore migrations();

    /** Releases the connection pool. */
    @Override
    void close();
}
