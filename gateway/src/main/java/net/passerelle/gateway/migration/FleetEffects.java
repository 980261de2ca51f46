package net.passerelle.gateway.migration;

import net.passerelle.admin.api.FleetConfirmer;
import net.passerelle.admin.model.FleetView;
import net.passerelle.admin.model.HostMapping;
import net.passerelle.admin.model.Migration;
import net.passerelle.admin.store.Store;
import net.passerelle.gateway.cutover.CutoverReport;
import net.passerelle.gateway.cutover.CutoverVerifier;
import net.passerelle.gateway.routing.Backend;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.spool.EntryStatus;
import net.passerelle.gateway.spool.EntryView;
import net.passerelle.gateway.spool.ReplayTrigger;
import net.passerelle.gateway.spool.Spool;
import net.passerelle.gateway.spool.SpoolSummary;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The effects of a gateway process: the fleet confirmer of its admin API, the cutover verifier, its own spool (and
 * replay trigger), and the other gateways' spools as their heartbeats publish them ({@link SpoolBeacon}).
 */
public final class FleetEffects implements MigrationEffects {
    private final Supplier<Store> store;
    private final FleetConfirmer confirmer;
    private final CutoverVerifier verifier;
    private final RoutingTableHolder routes;
    private final String defaultPath;
    private final Spool spool;
    private final ReplayTrigger replay;
    private final String self;

    /**
     * @param spool  this gateway's spool, or null when it has none
     * @param replay its replay trigger, or null
     * @param self   this gateway's id: its own heartbeat is not counted twice
     */
    public FleetEffects(Supplier<Store> store, FleetConfirmer confirmer, CutoverVerifier verifier,
                        RoutingTableHolder routes, String defaultPath, Spool spool, ReplayTrigger replay, String self) {
        this.store = store;
        this.confirmer = confirmer;
        this.verifier = verifier;
        this.routes = routes;
        this.defaultPath = defaultPath;
        this.spool = spool;
        this.replay = replay;
        this.self = self;
    }

    @Override
    public CompletableFuture<FleetConfirmer.Confirmation> confirm(long version) {
        return confirmer.await(version);
    }

    @Override
    public CompletableFuture<CutoverReport> verify(Migration m) {
        List<String> hosts = store.get().hosts(m.group()).stream().map(HostMapping::host).toList();
        GroupRoute current = routes.get().group(m.group());
        List<Backend> currentBackends = current == null ? List.of() : current.backends();
        List<String> all = new ArrayList<>(m.to().backends());
        all.addAll(m.to().spares());
        return verifier.verify(hosts, currentBackends, all, m.path() == null ? defaultPath : m.path());
    }

    @Override
    public ReplayProgress replay(Migration m) {
        int waiting = 0;
        int delivered = 0;
        int failed = 0;
        if (spool != null) {
            Instant since = m.readOnlySince() == null ? m.createdAt() : m.readOnlySince();
            SpoolSummary summary = spool.summary(m.group());
            waiting = summary.waiting();
            for (EntryView e : summary.entries()) {
                if (e.arrival() != null && !e.arrival().isBefore(since.minusSeconds(1))) {
                    delivered += e.status() == EntryStatus.DELIVERED ? 1 : 0;
                    failed += e.status() == EntryStatus.FAILED_FINAL ? 1 : 0;
                }
            }
            if (waiting > 0 && replay != null) {
                // The trigger starts it when the group opens; this only covers a gateway that missed that moment.
                replay.replay(m.group(), "migration " + m.id());
            }
        }
        Map<String, Integer> live = new LinkedHashMap<>();
        Map<String, Integer> unreachable = new LinkedHashMap<>();
        published(m, live, unreachable);
        return new ReplayProgress(waiting, delivered, failed, live, unreachable);
    }

    /**
     * What the other gateways publish as still waiting for the group: the live ones are waited for; the others,
     * if they published during the migration, are named (their writes replay from their disk when they are back).
     */
    private void published(Migration m, Map<String, Integer> live, Map<String, Integer> unreachable) {
        FleetView fleet = store.get().fleet();
        Instant since = m.readOnlySince() == null ? m.createdAt() : m.readOnlySince();
        SpoolBeacon.publishedElsewhere(fleet, m.group(), self).forEach((g, n) -> {
            if (confirmer.liveness().isLive(g, fleet)) {
                live.put(g.gatewayId(), n);
            } else if (g.heartbeat() != null && g.heartbeat().isAfter(since)) {
                unreachable.put(g.gatewayId(), n);
            }
        });
    }
}
