package net.passerelle.admin.api;

import net.passerelle.admin.model.FleetView;
import net.passerelle.admin.model.GatewayStatus;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The one notion of a live gateway, which the fleet confirmer and {@code GET /v1/gateways} both ask, so they cannot
 * disagree:
 * <ul>
 *   <li>a gateway that holds a lease is live while its lease is valid by the store's clock
 *       ({@link FleetView#storeNow()}); the lease is the gateway's {@code store.lease}, renewed with every heartbeat;</li>
 *   <li>a gateway older than leases is live while its last heartbeat is at most {@code ttl}
 *       ({@code admin.gatewayTtl}) old by this process's clock (its heartbeats carry its own clock: keep those in
 *       NTP sync).</li>
 * </ul>
 */
public final class Liveness {

    /** Where a gateway stands with respect to the table version: what {@code GET /v1/gateways} calls its state. */
    public enum State {
        /** Live, and has applied the version. */
        UP_TO_DATE("up-to-date"),
        /** Live (its lease is valid), and has not applied the version yet. */
        LAGGING("lagging"),
        /** Its lease ended without it being released: it enforces its fail-safe, or it is gone. */
        LOST("lost"),
        /** It released its lease when it stopped. */
        STOPPED("stopped");

        private final String wireName;

        State(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    private final Duration ttl;
    private final Clock clock;

    /** @throws IllegalArgumentException when {@code ttl} is not positive */
    public Liveness(Duration ttl, Clock clock) {
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (ttl.isZero() || ttl.isNegative()) {
            throw new IllegalArgumentException("the gateway TTL must be positive, not " + ttl);
        }
    }

    public Duration ttl() {
        return ttl;
    }

    /** Now, by the clock the heartbeats of gateways without a lease are judged with. */
    public Instant now() {
        return clock.instant();
    }

    /** Whether the gateway is live now (a leased one judged by this process's clock, lacking the store's). */
    public boolean isLive(GatewayStatus gateway) {
        Instant now = now();
        return isLive(gateway, now, now);
    }

    /** Whether the gateway is live in {@code view}. */
    public boolean isLive(GatewayStatus gateway, FleetView view) {
        return isLive(gateway, view.storeNow(), now());
    }

    /**
     * Whether the gateway was live.
     *
     * @param storeNow the store's clock, for a lease
     * @param localNow this process's clock, for a gateway without a lease
     */
    public boolean isLive(GatewayStatus gateway, Instant storeNow, Instant localNow) {
        return gateway.leased() ? gateway.leaseValidAt(storeNow) : gateway.isLive(localNow, ttl);
    }

    /** The gateway's state with respect to {@code version}, in {@code view}. */
    public State state(GatewayStatus gateway, FleetView view, long version) {
        if (gateway.released()) {
            return State.STOPPED;
        }
        if (!isLive(gateway, view)) {
            return State.LOST;
        }
        return gateway.hasApplied(version) ? State.UP_TO_DATE : State.LAGGING;
    }
}
