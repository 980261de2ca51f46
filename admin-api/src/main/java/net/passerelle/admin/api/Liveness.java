package net.passerelle.admin.api;

import net.passerelle.admin.model.GatewayStatus;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The one notion of a live gateway: its last heartbeat is at most {@code ttl} ({@code admin.gatewayTtl}) old by
 * this process's clock. The fleet confirmer waits for exactly the gateways that {@code GET /v1/gateways} shows as
 * live, because both ask this object.
 *
 * <p>Heartbeats are stamped by the store's clock (the clock of the process that wrote them): keep the fleet's
 * clocks in NTP sync.
 */
public final class Liveness {
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

    /** Now, by the clock liveness is judged with. */
    public Instant now() {
        return clock.instant();
    }

    /** Whether the gateway is live now. */
    public boolean isLive(GatewayStatus gateway) {
        return isLive(gateway, now());
    }

    /** Whether the gateway was live at {@code now} (one instant for a whole list of gateways). */
    public boolean isLive(GatewayStatus gateway, Instant now) {
        return gateway.isLive(now, ttl);
    }
}
