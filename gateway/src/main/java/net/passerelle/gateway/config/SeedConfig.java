package net.passerelle.gateway.config;

import java.util.Map;

public record SeedConfig(Map<String, SeedGroup> groups, Map<String, SeedHost> hosts) {
    public SeedConfig {
        groups = groups == null ? Map.of() : Map.copyOf(groups);
        hosts = hosts == null ? Map.of() : Map.copyOf(hosts);
        for (Map.Entry<String, SeedHost> h : hosts.entrySet()) {
            if (!groups.containsKey(h.getValue().group())) {
                throw new BadEntry("seed.hosts." + h.getKey() + ": group '" + h.getValue().group()
                        + "' is not defined under seed.groups", "hosts", h.getKey(), "group");
            }
        }
    }
}
