package net.passerelle.gateway.metrics;

import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.proxy.ProxyListener.Outcome;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.routing.RoutingTableHolder;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GatewayMetricsTest {

    private static RoutingTable table(long version, Mode mode) {
        return RoutingTable.builder(version)
                .group(new GroupRoute("srv-12", List.of(), List.of(), mode, WritePolicy.REJECT, null, 300, Map.of(), "piwigo"))
                .host("alice.gallery.example", "srv-12", "alice").build();
    }

    @Test
    void exchangesAreCountedByGroupAndOutcomeNeverByHost() {
        try (GatewayMetrics m = new GatewayMetrics()) {
            RoutingTableHolder holder = new RoutingTableHolder(table(7, Mode.READ_ONLY));
            holder.onSwap(m::tableChanged);
            m.bindRoutes(holder);
            boolean[] reachable = {true};
            m.bindStore(() -> reachable[0]);
            GroupRoute g = holder.get().group("srv-12");
            m.record(g, Outcome.PROXIED, 1_000_000, 400_000);
            m.record(g, Outcome.NOTICE, 1_000_000, -1);
            m.record(null, Outcome.UNKNOWN_HOST, 1_000_000, -1);
            m.record(null, Outcome.UNKNOWN_HOST, 1_000_000, -1);
            m.record(null, Outcome.MALFORMED, 1_000_000, -1);
            System.gc();
            String text = m.scrape();
            assertTrue(text.contains("passerelle_requests_seconds_count{group=\"srv-12\",outcome=\"proxied\"} 1"), text);
            assertTrue(text.contains("passerelle_requests_seconds_count{group=\"srv-12\",outcome=\"notice\"} 1"), text);
            assertTrue(text.contains("passerelle_requests_seconds_count{group=\"_unknown\",outcome=\"unknown-host\"} 2"), text);
            assertTrue(text.contains("passerelle_requests_seconds_count{group=\"_none\",outcome=\"malformed\"} 1"), text);
            assertTrue(text.contains("passerelle_unknown_hosts_total 2.0"), text);
            assertTrue(text.contains("passerelle_requests_seconds_bucket{group=\"srv-12\",outcome=\"proxied\",le=\"0.001\"} 1"),
                    "latency histogram with buckets: " + text);
            assertTrue(text.contains("passerelle_backend_first_byte_seconds_count{group=\"srv-12\"} 1"), text);
            assertTrue(text.contains("passerelle_group_mode{group=\"srv-12\"} 1.0"), text);
            assertTrue(text.contains("passerelle_routing_table_version 7.0"), text);
            assertTrue(text.contains("passerelle_store_reachable 1.0"), "held strongly, survives a GC: " + text);
            assertTrue(text.contains("jvm_memory_used_bytes"), "JVM binders");
            assertTrue(text.contains("netty_allocator"), "Netty allocator binder");
            assertFalse(text.contains("alice.gallery.example"), "no host name in any metric");

            holder.swap(table(8, Mode.MAINTENANCE));
            reachable[0] = false;
            text = m.scrape();
            assertTrue(text.contains("passerelle_group_mode{group=\"srv-12\"} 2.0"), text);
            assertTrue(text.contains("passerelle_routing_table_version 8.0"), text);
            assertTrue(text.contains("passerelle_store_reachable 0.0"), text);
            holder.swap(RoutingTable.empty());
            assertFalse(m.scrape().contains("passerelle_group_mode{group=\"srv-12\"}"), "a deleted group's gauge goes");
        }
    }

    @Test
    void requestsWaitingForABusyBackendAreAGauge() {
        try (GatewayMetrics m = new GatewayMetrics()) {
            int[] waiting = {0};
            m.bindDataPlane(com.github.benmanes.caffeine.cache.Caffeine.newBuilder().recordStats().build(), () -> waiting[0]);
            assertTrue(m.scrape().contains("passerelle_backend_queue_waiting 0.0"), m.scrape());
            waiting[0] = 7;
            assertTrue(m.scrape().contains("passerelle_backend_queue_waiting 7.0"));
        }
    }

    @Test
    void theQueueGaugeOutlivesAGarbageCollection() {
        try (GatewayMetrics m = new GatewayMetrics()) {
            int[] waiting = {3};
            // A capturing lambda, made for this call like the data plane's method reference: nothing else holds it.
            m.bindDataPlane(com.github.benmanes.caffeine.cache.Caffeine.newBuilder().build(), () -> waiting[0]);
            collectGarbage();
            assertEquals(3.0, m.registry().get(GatewayMetrics.BACKEND_QUEUE).gauge().value());
            waiting[0] = 5;
            assertEquals(5.0, m.registry().get(GatewayMetrics.BACKEND_QUEUE).gauge().value());
        }
    }

    /** Returns once a collection has cleared a weakly held object, which clears the gauges' weak references too. */
    private static void collectGarbage() {
        WeakReference<Object> canary = new WeakReference<>(new Object());
        for (int i = 0; i < 50 && canary.get() != null; i++) {
            System.gc();
        }
        assertNull(canary.get(), "no collection happened: the test proves nothing");
    }
}
