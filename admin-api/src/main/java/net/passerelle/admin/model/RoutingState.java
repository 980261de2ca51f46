package net.passerelle.admin.model;

import java.util.List;
import java.util.Optional;

/**
 * The whole routing table at one version, as one immutable value: what the gateway holds in memory.
 * Groups are ordered by name, hosts by host name.
 */
public record RoutingState(long version, List<Group> groups, List<HostMapping> hosts) {

    /** The empty table at version 0, before anything was written. */
    public static final RoutingState EMPTY = new RoutingState(0, List.of(), List.of());

    public RoutingState {
        if (version < 0) {
            throw new IllegalArgumentException("negative version " + version);
        }
        groups = groups == null ? List.of() : List.copyOf(groups);
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
    }

    /** The group named {@code name} (linear search; build a map for the request path). */
    public Optional<Group> group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst();
    }
}
