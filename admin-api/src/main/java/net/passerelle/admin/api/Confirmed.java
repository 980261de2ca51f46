package net.passerelle.admin.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The answer of a change the data plane enforces: once every live gateway has applied {@code version}
 * ({@code 200}), or at the confirmer's timeout with the laggards named ({@code 202}).
 * Body: {@code applied}, {@code gateways}, {@code version}, then the route's own fields.
 */
final class Confirmed {
    private Confirmed() {
    }

    static CompletableFuture<ApiResponse> answer(FleetConfirmer confirmer, long version, Map<String, Object> answer) {
        return confirmer.await(version).thenApply(c -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("applied", c.applied());
            body.put("gateways", c.gateways());
            body.put("version", version);
            body.putAll(answer);
            if (!c.complete()) {
                body.put("laggards", c.laggards());
                body.put("detail", c.laggards().size() + " live gateway(s) did not apply version " + version
                        + " within " + confirmer.timeout().toMillis() + " ms");
            }
            return ApiResponse.of(c.complete() ? 200 : 202, body);
        });
    }
}
