package net.passerelle.gateway.control;

import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.HostMapping;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.RoutingState;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.config.SeedConfig;
import net.passerelle.gateway.config.SeedGroup;
import net.passerelle.admin.model.HostPort;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The configuration's {@code seed} section as the store's model. A seeded host without an account gets its own
 * name as account.
 *
 * @throws IllegalArgumentException (from every method) when a seeded value is not valid for the model
 */
public final class SeedModel {
    private SeedModel() {
    }

    public static List<Group> groups(SeedConfig seed) {
        List<Group> groups = new ArrayList<>();
        for (Map.Entry<String, SeedGroup> e : seed.groups().entrySet()) {
            SeedGroup g = e.getValue();
            try {
                groups.add(new Group(e.getKey(), backends(g.backends()), backends(g.spares()), Mode.parse(g.mode()),
                        WritePolicy.parse(g.writes()), g.retryAfterSeconds(), g.message(), g.profile(), null));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("seed.groups." + e.getKey() + ": " + ex.getMessage(), ex);
            }
        }
        groups.sort(Comparator.comparing(Group::name));
        return groups;
    }

    public static List<HostMapping> hosts(SeedConfig seed) {
        List<HostMapping> hosts = new ArrayList<>();
        seed.hosts().forEach((host, h) -> {
            try {
                hosts.add(new HostMapping(host, h.group(), h.account().isBlank() ? host : h.account()));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("seed.hosts." + host + ": " + ex.getMessage(), ex);
            }
        });
        hosts.sort(Comparator.comparing(HostMapping::host));
        return hosts;
    }

    /** The seed alone as a table at version 0: what a gateway routes with when it has neither store nor snapshot. */
    public static RoutingState state(SeedConfig seed) {
        return new RoutingState(0, groups(seed), hosts(seed));
    }

    private static List<Backend> backends(List<HostPort> list) {
        return list.stream().map(hp -> Backend.parse(hp.toString())).toList();
    }
}
