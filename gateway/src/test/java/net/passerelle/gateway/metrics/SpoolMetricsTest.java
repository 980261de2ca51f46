package net.passerelle.gateway.metrics;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import net.passerelle.gateway.config.SpoolReplayConfig;
import net.passerelle.gateway.config.SpoolConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.testing.OpsGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spool's meters as a pager reads them from {@code /metrics}: depth, bytes, oldest age, deliveries and failures. */
class SpoolMetricsTest {
    @TempDir
    Path dir;
    private OpsGateway ops;

    @BeforeEach
    void start() throws Exception {
        ops = new OpsGateway(dir, c -> c.withSpool(new SpoolConfig(dir.resolve("spool").toString(), null, null,
                null, null, null, null, new SpoolReplayConfig(Duration.ofMillis(10), Duration.ofMillis(10), 2,
                null, null))));
    }

    @AfterEach
    void stop() {
        ops.close();
    }

    @Test
    void depthBytesAgeDeliveriesAndFailuresPerGroup() throws Exception {
        assertEquals(0.0, value("passerelle_spool_depth", "srv-12"), "every group of the table has its gauges from the start");
        assertEquals(200, ops.admin("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"read-only\", \"writes\": \"queue\"}").status());
        for (int i = 0; i < 3; i++) {
            assertEquals(202, ops.post(OpsGateway.ALICE).status());
        }
        assertEquals(3.0, value("passerelle_spool_depth", "srv-12"));
        assertTrue(value("passerelle_spool_bytes", "srv-12") > 3 * 9, "bytes on disk hold at least the bodies");
        assertTrue(value("passerelle_spool_oldest_age_seconds", "srv-12") >= 0.0);
        assertEquals(0.0, value("passerelle_spool_depth", "srv-13"));

        // The replayed writes meet a 503 (retried), then a 403 (final), then 200s (delivered).
        ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>(java.util.List.of(503, 403));
        ops.backend.respondWith((ctx, req) -> {
            Integer s = req.method().equals("POST") ? statuses.poll() : null;
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(s == null ? 200 : s), Unpooled.EMPTY_BUFFER);
            HttpUtil.setContentLength(r, 0);
            ctx.writeAndFlush(r);
        });
        assertEquals(200, ops.admin("PUT", "/v1/groups/srv-12/mode", "{\"mode\": \"open\"}").status());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(value("passerelle_spool_replay_delivered_total", "srv-12") >= 2.0) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        assertEquals(2.0, value("passerelle_spool_replay_delivered_total", "srv-12"));
        assertEquals(1.0, value("passerelle_spool_replay_failures_total", "srv-12", "kind=\"retry\""));
        assertEquals(1.0, value("passerelle_spool_replay_failures_total", "srv-12", "kind=\"final\""));
        assertEquals(0.0, value("passerelle_spool_depth", "srv-12"));
        assertEquals(0.0, value("passerelle_spool_oldest_age_seconds", "srv-12"));
        assertTrue(value("passerelle_spool_bytes", "srv-12") > 0, "the failed-final entry stays on disk for ops");
        assertEquals(1.0, value("passerelle_spool_failed_final", "srv-12"),
                "the refused write left the depth and the age, and waits for ops: a gauge to alert on");
        assertEquals(200, ops.admin("DELETE", "/v1/groups/srv-12/spool/" + failedRef(), null).status());
        assertEquals(0.0, value("passerelle_spool_failed_final", "srv-12"), "discarded: nothing waits for ops any more");
    }

    @Test
    void replayCountersAreThereAtZeroBeforeTheirFirstEvent() throws Exception {
        // A counter born at 1 with its first event is invisible to increase()/rate(): the first final failure would
        // never page anyone. Every group of the table has its three series from the first scrape.
        for (String group : new String[] {"srv-12", "srv-13"}) {
            assertEquals(0.0, value("passerelle_spool_replay_delivered_total", group), group);
            assertEquals(0.0, value("passerelle_spool_replay_failures_total", group, "kind=\"retry\""), group);
            assertEquals(0.0, value("passerelle_spool_replay_failures_total", group, "kind=\"final\""), group);
            assertEquals(0.0, value("passerelle_spool_failed_final", group), group);
        }
    }

    private String failedRef() throws Exception {
        for (com.fasterxml.jackson.databind.JsonNode e : ops.admin("GET", "/v1/groups/srv-12/spool", null).json().path("entries")) {
            if (e.path("status").asText().equals("failed-final")) {
                return e.path("ref").asText();
            }
        }
        return null;
    }

    private double value(String name, String group, String... labels) throws Exception {
        String text = ops.admin("GET", "/metrics", null, false).body();
        Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)} (\\S+)$").matcher(text);
        while (m.find()) {
            boolean match = m.group(1).contains("group=\"" + group + "\"");
            for (String l : labels) {
                match &= m.group(1).contains(l);
            }
            if (match) {
                return Double.parseDouble(m.group(2));
            }
        }
        return Double.NaN;
    }
}
