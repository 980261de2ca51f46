package net.passerelle.admin.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /healthz} (200 while the process runs), {@code GET /readyz} (200 when nothing stands in the way,
 * 503 with the reasons otherwise; either way with {@code notes} on what is degraded without making the process
 * unready, such as a store blip) and {@code GET /metrics} (Prometheus text). None needs a token.
 */
public final class HealthRoutes {

    private HealthRoutes() {
    }

    /**
     * @param notReady   the reasons the process is not ready (empty when it is), e.g. "no listener is bound"
     * @param prometheus the Prometheus text exposition
     */
    public static Router register(Router router, Supplier<List<String>> notReady, Supplier<String> prometheus) {
        return register(router, notReady, List::of, prometheus);
    }

    /**
     * @param notReady   the reasons the process is not ready (empty when it is), e.g. "no listener is bound"
     * @param notes      what is degraded but does not make the process unready, e.g. "store unreachable: …"
     * @param prometheus the Prometheus text exposition
     */
    public static Router register(Router router, Supplier<List<String>> notReady, Supplier<List<String>> notes,
                                  Supplier<String> prometheus) {
        router.addOpen("GET", "/healthz", Handler.sync(r -> ApiResponse.ok(Map.of("status", "ok"))));
        router.addOpen("GET", "/readyz", Handler.sync(r -> {
            List<String> reasons = notReady.get();
            List<String> degraded = notes.get();
            Map<String, Object> body = new LinkedHashMap<>();
            if (reasons.isEmpty()) {
                body.put("status", "ready");
            } else {
                body.put("error", "not ready");
                body.put("detail", String.join("; ", reasons));
                body.put("reasons", reasons);
            }
            if (!degraded.isEmpty()) {
                body.put("notes", degraded);
            }
            return ApiResponse.of(reasons.isEmpty() ? 200 : 503, body);
        }));
        router.addOpen("GET", "/metrics", Handler.sync(r ->
                ApiResponse.text(200, prometheus.get(), "text/plain; version=0.0.4; charset=utf-8")));
        return router;
    }
}
