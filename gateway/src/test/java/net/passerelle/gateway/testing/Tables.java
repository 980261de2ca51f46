package net.passerelle.gateway.testing;

import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.routing.Backend;
import net.passerelle.gateway.routing.GroupRoute;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/** Shorthands for building routing tables in tests. */
public final class Tables {
    private Tables() {
    }

    public static GroupRoute open(String name, InetSocketAddress... backends) {
        return group(name, Mode.OPEN, WritePolicy.REJECT, backends);
    }

    public static GroupRoute group(String name, Mode mode, WritePolicy writes, InetSocketAddress... backends) {
        List<Backend> list = java.util.Arrays.stream(backends)
                .map(a -> new Backend(a.getHostString() + ":" + a.getPort(), a)).toList();
        return new GroupRoute(name, list, List.of(), mode, writes, null, 420, Map.of(), "piwigo");
    }
}
