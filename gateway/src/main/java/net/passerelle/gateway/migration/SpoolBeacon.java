package net.passerelle.gateway.migration;

import net.passerelle.admin.model.FleetView;
import net.passerelle.admin.model.GatewayStatus;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * How a gateway tells the fleet, in its heartbeat's {@code info}, how many queued writes of each group still wait
 * for replay on its disk: {@code spool-waiting=srv-12:3,srv-13:1}. Spools are per gateway and never in the store, so
 * this is how a migration driven by another process knows when the fleet's replay to the new backends is over.
 *
 * <p>Only groups with waiting entries are listed, and at most {@value #MAX_CHARS} characters of them (the info
 * column holds 1000): a group cut off is not listed, and a driver would not wait for it. That is the bound chosen:
 * the replaying step also has a bound of its own in time ({@code migrations.replayWait}).
 */
public final class SpoolBeacon {
    static final String KEY = "spool-waiting=";
    static final int MAX_CHARS = 600;

    private SpoolBeacon() {
    }

    /** The info fragment for these groups and their waiting counts; empty when nothing waits. */
    public static String format(Iterable<String> groups, ToIntFunction<String> waiting) {
        StringBuilder sb = new StringBuilder();
        for (String g : groups) {
            int n = waiting.applyAsInt(g);
            if (n <= 0) {
                continue;
            }
            String item = g + ":" + n;
            if (sb.length() + item.length() + 1 > MAX_CHARS) {
                break;
            }
            sb.append(sb.isEmpty() ? "" : ",").append(item);
        }
        return sb.isEmpty() ? "" : KEY + sb;
    }

    /**
     * What the gateways of {@code fleet} other than {@code self} publish as waiting for {@code group}, by gateway, in
     * the fleet's order; only those that publish some. Callers judge liveness: the spool view lists the live ones,
     * the migration driver also names the unreachable ones.
     */
    public static Map<GatewayStatus, Integer> publishedElsewhere(FleetView fleet, String group, String self) {
        Map<GatewayStatus, Integer> out = new LinkedHashMap<>();
        for (GatewayStatus g : fleet.gateways()) {
            int n = parse(g.info()).getOrDefault(group, 0);
            if (n > 0 && !g.gatewayId().equals(self)) {
                out.put(g, n);
            }
        }
        return out;
    }

    /** The waiting counts a heartbeat's info publishes, by group; empty when it publishes none. */
    public static Map<String, Integer> parse(String info) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (info == null) {
            return out;
        }
        int at = info.indexOf(KEY);
        if (at < 0) {
            return out;
        }
        int end = info.indexOf(' ', at);
        String list = info.substring(at + KEY.length(), end < 0 ? info.length() : end);
        for (String item : list.split(",")) {
            int colon = item.lastIndexOf(':');
            if (colon <= 0) {
                continue;
            }
            try {
                out.put(item.substring(0, colon), Integer.parseInt(item.substring(colon + 1)));
            } catch (NumberFormatException e) {
                // a damaged or cut item says nothing
            }
        }
        return out;
    }
}
