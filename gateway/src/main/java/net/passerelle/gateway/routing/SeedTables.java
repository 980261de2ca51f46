package net.passerelle.gateway.routing;

import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.config.GatewayConfig.SeedConfig;
import net.passerelle.gateway.config.GatewayConfig.SeedGroup;
import net.passerelle.gateway.config.HostPort;

import java.util.List;
import java.util.Map;

/** Builds a routing snapshot straight from the configuration's {@code seed} section. */
public final class SeedTables {
    private SeedTables() {
    }

    public static RoutingTable fromSeed(SeedConfig seed, long version) {
        RoutingTable.Builder builder = RoutingTable.builder(version);
        for (Map.Entry<String, SeedGroup> e : seed.groups().entrySet()) {
            SeedGroup g = e.getValue();
            builder.group(new GroupRoute(e.getKey(), backends(g.backends()), backends(g.spares()), mode(g.mode()),
                    writes(g.writes()), null, g.retryAfterSeconds(), g.message(), g.profile()));
        }
        seed.hosts().forEach((host, h) -> builder.host(host, h.group(), h.account()));
        return builder.build();
    }

    public static List<Backend> backends(List<HostPort> list) {
        return list.stream().map(hp -> new Backend(hp.toString(), hp.toSocketAddress())).toList();
    }

    public static Mode mode(String text) {
        return switch (text) {
            case "read-only" -> Mode.READ_ONLY;
            case "maintenance" -> Mode.MAINTENANCE;
            default -> Mode.OPEN;
        };
    }

    public static WritePolicy writes(String text) {
        return "queue".equals(text) ? WritePolicy.QUEUE : WritePolicy.REJECT;
    }
}
