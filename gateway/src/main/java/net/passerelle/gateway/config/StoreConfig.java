package net.passerelle.gateway.config;

import java.time.Duration;
import java.util.List;

/**
 * @param pollInterval how often the gateway checks the store's version and heartbeats (200ms)
 * @param snapshot     the local copy of the last table applied from the store, used at start when the store is
 *                     unreachable ({@code ./data/routing-snapshot.json})
 * @param lease        how long one heartbeat holds the gateway's lease (4s); the admin API waits for leased
 *                     gateways, and a gateway that cannot renew applies {@code onLeaseLost}
 * @param onLeaseLost  {@code read-only} (every group serves reads and refuses writes, the gateway stays ready) or
 *                     {@code unready} (the same, and {@code /readyz} says not-ready after {@code leaseLostGrace})
 * @param leaseLostGrace with {@code unready}: how long after losing its lease the gateway still says ready (10s)
 */
public record StoreConfig(String url, String user, String password, Duration pollInterval, String snapshot,
                          Duration lease, String onLeaseLost, Duration leaseLostGrace) {
    public static final List<String> ON_LEASE_LOST = List.of("read-only", "unready");

    public StoreConfig {
        lease = lease == null ? Duration.ofSeconds(4) : lease;
        onLeaseLost = onLeaseLost == null ? "read-only" : onLeaseLost;
        leaseLostGrace = leaseLostGrace == null ? Duration.ofSeconds(10) : leaseLostGrace;
        if (lease.toMillis() < 100 || !ON_LEASE_LOST.contains(onLeaseLost) || leaseLostGrace.isNegative()) {
            throw new IllegalArgumentException("store.lease must be at least 100ms, store.onLeaseLost read-only or unready"
                    + " (got '" + onLeaseLost + "'), store.leaseLostGrace >= 0");
        }
        url = url == null || url.isBlank() ? "jdbc:h2:file:./data/passerelle" : url;
        user = user == null ? "" : user;
        password = password == null ? "" : password;
        pollInterval = pollInterval == null ? Duration.ofMillis(200) : pollInterval;
        if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:mariadb:")) {
            // The URL may carry a password: say what it starts with, not all of it.
            throw new BadEntry("store.url must be jdbc:h2:… (embedded) or jdbc:mariadb:… (fleet), got '"
                    + url.replaceFirst("^((?:[A-Za-z0-9]+:){0,2}).*$", "$1") + "…'", "url");
        }
        if (pollInterval.toMillis() < 10 || pollInterval.toMillis() > 1000) {
            throw new BadEntry("store.pollInterval must be 10ms..1s (changes must apply within a second), got " + pollInterval, "pollInterval");
        }
        snapshot = snapshot == null || snapshot.isBlank() ? "./data/routing-snapshot.json" : snapshot;
    }

    public StoreConfig(String url, String user, String password, Duration pollInterval, String snapshot) {
        this(url, user, password, pollInterval, snapshot, null, null, null);
    }

    public StoreConfig(String url, String user, String password, Duration pollInterval) {
        this(url, user, password, pollInterval, null);
    }
}
