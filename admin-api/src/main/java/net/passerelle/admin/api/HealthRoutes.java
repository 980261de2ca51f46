package net.passerelle.admin.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /healthz} (200 while the process runs), {@code GET /readyz} (200 when nothing stands in the way,
 * 503 with the reasons otherwise) and {@code GET /metrics} (Prometheus text). None needs a token.
 */
public final class HealthRoutes {

    private HealthRoutes() {
    }

    /**
     * @param notReady   the reasons the process is not ready (empty when it is), e.g. "store unreachable: …"
     * @param prometheus the Prometheus text exposition
     */
    public static Router register(Router router, Supplier<List<String>> notReady, Supplier<String> prometheus) {
        router.addOpen("GET", "/healthz", Handler.sync(r -> ApiResponse.ok(Map.of("status", "ok"))));
        router.addOpen("GET", "/readyz", Handler.sync(r -> {
            List<String> reasons = notReady.get();
            if (reasons.isEmpty()) {
                return ApiResponse.ok(Map.of("status", "ready"));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", "not ready");
            body.put("detail", String.join("; ", reasons));
            body.put("reasons", reasons);
            return ApiResponse.of(503, body);
        }));
        router.addOpen("GET", "/metrics", Handler.sync(r ->
                ApiResponse.text(200, prometheus.get(), "text/plain; version=0.0.4; charset=utf-8")));
        return router;
    }
}
