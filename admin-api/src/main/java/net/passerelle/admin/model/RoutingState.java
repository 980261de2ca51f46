package net.passerelle.admin.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole routing table at one version, as one immutable value: what the gateway holds in memory.
 * Groups are ordered by name, hosts by host name.
 */
public record RoutingState(long version, List<Group> groups, List<HostMapping> hosts,
                           Map<String, BackendState> backendStates) {

    /** The empty table at version 0, before anything was written. */
    public static final RoutingState EMPTY = new RoutingState(0, List.of(), List.of());

    /** A table where every backend is ready. */
    public RoutingState(long version, List<Group> groups, List<HostMapping> hosts) {
        this(version, groups, hosts, null);
    }

    public RoutingState {
        if (version < 0) {
            throw new IllegalArgumentException("negative version " + version);
        }
        groups = groups == null ? List.of() : List.copyOf(groups);
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
        // backend address ("10.0.0.21:80") -> DRAIN or MAINT; a backend that is not named is ready
        backendStates = backendStates == null ? Map.of() : Map.copyOf(backendStates);
    }

    /** The group named {@code name} (linear search; build a map for the request path). */
    public Optional<Group> group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst();
    }
}
