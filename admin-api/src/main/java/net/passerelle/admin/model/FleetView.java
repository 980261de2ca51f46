package net.passerelle.admin.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The fleet as the store saw it at one instant.
 *
 * @param storeNow the store's clock when it was read, before the gateways were: leases are judged against it, so a
 *                 lease that ended by this instant had ended before any row of {@code gateways} was read
 * @param gateways every gateway that ever reported, by id
 */
public record FleetView(Instant storeNow, List<GatewayStatus> gateways) {
    public FleetView {
        Objects.requireNonNull(storeNow, "storeNow");
        gateways = List.copyOf(gateways);
    }
}
