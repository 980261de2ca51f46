package net.passerelle.admin.model;

import java.time.Duration;
import java.time.Instant;

/**
 * What a gateway last reported about itself.
 *
 * @param gatewayId      the gateway's stable identity in the fleet
 * @param appliedVersion the routing-table version it has in force
 * @param heartbeat      when it last reported (UTC, millisecond precision): the store's clock for a gateway that
 *                       holds a lease, the reporting process's clock for an older one
 * @param info           free text it chose to report (address, software version, store reachability), may be null
 * @param leaseUntil     when its lease ends by the store's clock; {@link Instant#EPOCH} once released (it stopped);
 *                       null for a gateway older than leases, judged by its heartbeat's age instead
 * @param lease          the lease it renews with every heartbeat ({@code store.lease}), null without a lease
 */
public record GatewayStatus(String gatewayId, long appliedVersion, Instant heartbeat, String info, Instant leaseUntil,
                            Duration lease) {

    /** A gateway without a lease (one older than leases, or a test's heartbeat). */
    public GatewayStatus(String gatewayId, long appliedVersion, Instant heartbeat, String info) {
        this(gatewayId, appliedVersion, heartbeat, info, null, null);
    }

    /** Whether the gateway reported within {@code ttl} before {@code now}. */
    public boolean isLive(Instant now, Duration ttl) {
        return !heartbeat.plus(ttl).isBefore(now);
    }

    /** Whether the gateway has applied {@code version} or a later one. */
    public boolean hasApplied(long version) {
        return appliedVersion >= version;
    }

    /** Whether it holds (or held) a lease, as every gateway since leases does. */
    public boolean leased() {
        return leaseUntil != null;
    }

    /** Whether it released its lease when it stopped. */
    public boolean released() {
        return Instant.EPOCH.equals(leaseUntil);
    }

    /** Whether its lease is valid at {@code storeNow} (the store's clock); false without a lease. */
    public boolean leaseValidAt(Instant storeNow) {
        return leaseUntil != null && !released() && leaseUntil.isAfter(storeNow);
    }
}
