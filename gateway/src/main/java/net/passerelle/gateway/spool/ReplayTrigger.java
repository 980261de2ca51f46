package net.passerelle.gateway.spool;

import net.passerelle.admin.model.Mode;
import net.passerelle.gateway.routing.Backend;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.routing.RoutingTableHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Starts the replay of a group's queued writes when the group is open again: when it leaves read-only (by an API
 * call, or when its window ends), and at start for an open group that still has entries (a gateway that crashed
 * or stopped before replaying). Not during maintenance: the backend may be the thing being worked on.
 *
 * <p>Replay goes to the group's backends as they are at each attempt, so a cutover during replay is followed.
 */
public final class ReplayTrigger implements Consumer<RoutingTable> {
    private static final Logger log = LoggerFactory.getLogger(ReplayTrigger.class);

    private final Spool spool;
    private final Replayer replayer;
    private final RoutingTableHolder routes;
    private final Map<String, Mode> lastModes = new ConcurrentHashMap<>();

    public ReplayTrigger(Spool spool, Replayer replayer, RoutingTableHolder routes) {
        this.spool = spool;
        this.replayer = replayer;
        this.routes = routes;
    }

    @Override
    public void accept(RoutingTable table) {
        for (GroupRoute g : table.groups()) {
            Mode previous = lastModes.put(g.name(), g.mode());
            if (g.mode() == Mode.OPEN && previous != Mode.OPEN && spool.groups().contains(g.name())) {
                replay(g.name(), previous == null ? "start" : "left " + previous.name().toLowerCase().replace('_', '-'));
            }
        }
    }

    /** Replays now (the admin API's call); false when a replay of the group is already running. */
    public boolean replay(String group, String why) {
        if (replayer.isReplaying(group) || spool.summary(group).waiting() == 0) {
            return false;
        }
        log.info("replaying the queued writes of group {} ({})", group, why);
        replayer.replay(group, () -> backendsOf(group)).whenComplete((report, error) -> {
            if (error != null) {
                log.warn("replay of group {} stopped: {}", group, error.toString());
            } else {
                log.info("replay of group {}: {} delivered, {} failed for good, {} still waiting", group,
                        report.delivered(), report.failedFinal(), report.waiting());
            }
        });
        return true;
    }

    private List<InetSocketAddress> backendsOf(String group) {
        GroupRoute g = routes.get().group(group);
        if (g == null) {
            return List.of();
        }
        List<Backend> list = g.backends().isEmpty() ? g.spares() : g.backends();
        return list.stream().map(Backend::address).toList();
    }
}
