package net.passerelle.admin.model;

import java.time.Duration;
import java.time.Instant;

/**
 * What a gateway last reported about itself.
 *
 * @param gatewayId      the gateway's stable identity in the fleet
 * @param appliedVersion the routing-table version it has in force
 * @param heartbeat      when it last reported (UTC, millisecond precision, the reporting store's clock)
 * @param info           free text it chose to report (address, software version, store reachability), may be null
 */
public record GatewayStatus(String gatewayId, long appliedVersion, Instant heartbeat, String info) {

    /** Whether the gateway reported within {@code ttl} before {@code now}. */
    public boolean isLive(Instant now, Duration ttl) {
        return !heartbeat.plus(ttl).isBefore(now);
    }

    /** Whether the gateway has applied {@code version} or a later one. */
    public boolean hasApplied(long version) {
        return appliedVersion >= version;
    }
}
