package net.passerelle.gateway.routing;

import net.passerelle.admin.model.BackendState;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The immutable routing snapshot: every registered host and every group. Built off the request path (from the
 * seed, the store or a local snapshot file) and swapped in whole by {@link RoutingTableHolder}; a request looks
 * up one snapshot and uses only that one.
 */
public final class RoutingTable {
    private final long version;
    private final Map<String, HostRoute> hosts;
    private final Map<String, GroupRoute> groups;
    private final Map<String, String> firstHosts;
    private final java.util.Set<java.net.InetSocketAddress> backendAddresses;
    private final Map<String, BackendState> backendStates;

    private RoutingTable(long version, Map<String, HostRoute> hosts, Map<String, GroupRoute> groups,
                         Map<String, String> firstHosts, Map<String, BackendState> backendStates) {
        this.version = version;
        this.backendStates = backendStates;
        this.hosts = hosts;
        this.groups = groups;
        this.firstHosts = firstHosts;
        java.util.Set<java.net.InetSocketAddress> addresses = new java.util.HashSet<>();
        for (GroupRoute g : groups.values()) {
            g.backends().forEach(b -> addresses.add(b.address()));
            g.spares().forEach(b -> addresses.add(b.address()));
        }
        this.backendAddresses = java.util.Set.copyOf(addresses);
    }

    /**
     * Whether some group of this table still uses the backend: a connection to one that left the table (a cutover)
     * is closed after its last exchange instead of going back to the pool.
     */
    public boolean usesBackend(java.net.InetSocketAddress address) {
        return backendAddresses.contains(address);
    }

    public static RoutingTable empty() {
        return new RoutingTable(0, Map.of(), Map.of(), Map.of(), Map.of());
    }

    public static Builder builder(long version) {
        return new Builder(version);
    }

    /** @param normalizedHost the output of {@link HostNormalizer#normalize} */
    public HostRoute route(String normalizedHost) {
        return hosts.get(normalizedHost);
    }

    public GroupRoute group(String name) {
        return groups.get(name);
    }

    public Collection<GroupRoute> groups() {
        return groups.values();
    }

    /**
     * One host name of the group (the first registered), which health checks send as their Host header so that a
     * backend's virtual hosts answer them as they answer visitors; null for a group without hosts.
     */
    public String anyHostOf(String group) {
        return firstHosts.get(group);
    }

    /** Backend name ({@code host:port}) to its administrative state, for the backends that are not ready. */
    public Map<String, BackendState> backendStates() {
        return backendStates;
    }

    public int hostCount() {
        return hosts.size();
    }

    public long version() {
        return version;
    }

    public static final class Builder {
        private final long version;
        private final Map<String, GroupRoute> groups = new HashMap<>();
        private final Map<String, HostRoute> hosts = new HashMap<>();
        private final Map<String, String> firstHosts = new HashMap<>();
        private final Map<String, BackendState> backendStates = new HashMap<>();

        private Builder(long version) {
            this.version = version;
        }

        public Builder group(GroupRoute group) {
            groups.put(group.name(), group);
            return this;
        }

        /** @throws IllegalArgumentException when the name is not a host name or the group is unknown */
        public Builder host(String host, String groupName, String account) {
            String normalized = HostNormalizer.normalize(host);
            if (normalized == null) {
                throw new IllegalArgumentException("not a host name: '" + host + "'");
            }
            GroupRoute group = groups.get(groupName);
            if (group == null) {
                throw new IllegalArgumentException("host " + host + ": unknown group '" + groupName + "'");
            }
            hosts.put(normalized, new HostRoute(normalized, account, group));
            firstHosts.putIfAbsent(groupName, normalized);
            return this;
        }

        /** A backend's administrative state for the fleet (drain or maint; unnamed backends are ready). */
        public Builder backendState(String backend, BackendState state) {
            backendStates.put(backend, state);
            return this;
        }

        public RoutingTable build() {
            return new RoutingTable(version, Map.copyOf(hosts), Map.copyOf(groups), Map.copyOf(firstHosts),
                    Map.copyOf(backendStates));
        }
    }
}
