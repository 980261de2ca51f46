package net.passerelle.gateway.migration;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import net.passerelle.gateway.metrics.MigrationMetrics;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The migrations' Prometheus names, and the heartbeat fragment through which gateways publish their spools. */
class MigrationMeteringTest {

    @Test
    void metricsHaveTheirPrometheusNames() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MigrationMetrics m = new MigrationMetrics(registry, List.of("awaiting-copy", "done"));
        m.states(Map.of("done", 2));
        m.readOnly(Map.of("srv-12", 42L));
        m.overrun("srv-12");
        String text = registry.scrape();
        assertTrue(text.contains("passerelle_migrations{state=\"done\"} 2"), text);
        assertTrue(text.contains("passerelle_migrations{state=\"awaiting-copy\"} 0"), text);
        assertTrue(text.contains("passerelle_migration_read_only_seconds{group=\"srv-12\"} 42"), text);
        assertTrue(text.contains("passerelle_migration_read_only_overrun_total{group=\"srv-12\"} 1"), text);
        m.readOnly(Map.of());
        assertFalse(registry.scrape().contains("passerelle_migration_read_only_seconds{"), "an open group leaves the series");
    }

    @Test
    void spoolsArePublishedInTheHeartbeatAndReadBackBounded() {
        String info = "listeners=[/127.0.0.1:8080] " + SpoolBeacon.format(List.of("srv-12", "srv-13", "srv-14"),
                g -> g.equals("srv-13") ? 0 : g.length());
        assertEquals("listeners=[/127.0.0.1:8080] spool-waiting=srv-12:6,srv-14:6", info);
        assertEquals(Map.of("srv-12", 6, "srv-14", 6), SpoolBeacon.parse(info));
        assertEquals(Map.of(), SpoolBeacon.parse("listeners=[/127.0.0.1:8080]"));
        assertEquals(Map.of(), SpoolBeacon.parse(null));
        assertEquals("", SpoolBeacon.format(List.of("srv-12"), g -> 0));
        List<String> many = java.util.stream.IntStream.range(0, 200).mapToObj(i -> "group-" + i).toList();
        String bounded = SpoolBeacon.format(many, g -> 1000);
        assertTrue(bounded.length() <= SpoolBeacon.KEY.length() + SpoolBeacon.MAX_CHARS, bounded.length() + "");
        assertEquals(bounded.split(",").length, SpoolBeacon.parse(bounded).size(), "whole items only");
    }
}
