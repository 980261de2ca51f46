package net.passerelle.gateway.control;

import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.HostMapping;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.RoutingState;
import net.passerelle.admin.model.Window;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.routing.Backend;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.RoutingTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the store's {@link RoutingState} into the data plane's {@link RoutingTable} as of one instant: windows are
 * applied here (each group's effective mode and policy at {@code now}, and {@link GroupRoute#modeEndsAt()} = the
 * window's end while one is in force), and backend names are resolved here, off the request path.
 */
public final class RoutingTables {
    private static final Logger log = LoggerFactory.getLogger(RoutingTables.class);

    private RoutingTables() {
    }

    /** The table in force at {@code now}. */
    public static RoutingTable fromState(RoutingState state, Instant now) {
        return fromState(state, now, false);
    }

    /**
     * The table in force at {@code now}; with {@code failSafe}, every group that is not in maintenance is read-only
     * with writes refused and no announced end: what a gateway enforces while it cannot know the table is current.
     */
    public static RoutingTable fromState(RoutingState state, Instant now, boolean failSafe) {
        RoutingTable.Builder builder = RoutingTable.builder(state.version());
        for (Group g : state.groups()) {
            Window inForce = g.windowInForce(now);
            Mode mode = g.effectiveMode(now);
            if (failSafe && mode != Mode.MAINTENANCE) {
                builder.group(new GroupRoute(g.name(), resolve(g.backends()), resolve(g.spares()), Mode.READ_ONLY,
                        WritePolicy.REJECT, null, g.retryAfterSeconds(), g.message(), g.profile()));
                continue;
            }
            builder.group(new GroupRoute(g.name(), resolve(g.backends()), resolve(g.spares()), mode,
                    g.effectiveWrites(now), inForce == null ? null : inForce.end(), g.retryAfterSeconds(), g.message(),
                    g.profile(), readOnlySince(g, inForce, mode)));
        }
        state.backendStates().forEach(builder::backendState);
        for (HostMapping h : state.hosts()) {
            try {
                builder.host(h.host(), h.group(), h.account());
            } catch (IllegalArgumentException e) {
                log.warn("routing table version {}: host {} left out: {}", state.version(), h.host(), e.getMessage());
            }
        }
        return builder.build();
    }

    /**
     * Since when a group read-only at the table's time is so: its window's start when a read-only window is in force
     * (or the standing read-only time, if earlier: the window only continued it), else the store's record of the
     * standing mode. Null when it is not read-only (the fail-safe's read-only announces no time either).
     */
    static Instant readOnlySince(Group g, Window inForce, Mode mode) {
        if (mode != Mode.READ_ONLY) {
            return null;
        }
        Instant standing = g.readOnlySince();
        if (inForce == null) {
            return standing;
        }
        return standing != null && standing.isBefore(inForce.start()) ? standing : inForce.start();
    }

    /**
     * The first instant after {@code now} at which a window of {@code state} starts or ends, so the table must be
     * rebuilt then; null when no window lies ahead.
     */
    public static Instant nextBoundary(RoutingState state, Instant now) {
        Instant next = null;
        for (Group g : state.groups()) {
            Window w = g.window();
            if (w == null) {
                continue;
            }
            for (Instant t : new Instant[] {w.start(), w.end()}) {
                if (t.isAfter(now) && (next == null || t.isBefore(next))) {
                    next = t;
                }
            }
        }
        return next;
    }

    private static List<Backend> resolve(List<net.passerelle.admin.model.Backend> list) {
        List<Backend> out = new ArrayList<>(list.size());
        for (net.passerelle.admin.model.Backend b : list) {
            InetSocketAddress address = new InetSocketAddress(b.host(), b.port());
            if (address.isUnresolved()) {
                log.warn("backend {} does not resolve now; connections to it will fail until it does", b);
            }
            out.add(new Backend(b.toString(), address));
        }
        return out;
    }
}
