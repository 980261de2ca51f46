package net.passerelle.admin.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The answer of a change the data plane enforces: once every gateway live at the write has applied {@code version}
 * ({@code 200}), or else ({@code 202}) with each gateway that did not named: {@code lagging} (its lease is valid, it
 * has not applied the version within the confirmer's timeout) or {@code lost} (its lease ended without it applying
 * the version: it enforces its fail-safe, or it is gone); {@code laggards} names both, as it always did.
 * Body: {@code applied}, {@code gateways}, {@code version}, then the route's own fields.
 */
public final class Confirmed {
    private Confirmed() {
    }

    static CompletableFuture<ApiResponse> answer(FleetConfirmer confirmer, long version, Map<String, Object> answer) {
        return confirmer.await(version).thenApply(c -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("applied", c.applied());
            body.put("gateways", c.gateways());
            body.put("version", version);
            body.putAll(answer);
            return response(confirmer, c, body);
        });
    }

    /**
     * {@code 200} with {@code body}, or {@code 202} with the gateways that did not confirm added to it (for routes
     * that build their own body).
     */
    public static ApiResponse response(FleetConfirmer confirmer, FleetConfirmer.Confirmation c, Map<String, Object> body) {
        body.putIfAbsent("applied", c.applied());
        body.putIfAbsent("gateways", c.gateways());
        if (c.complete()) {
            return ApiResponse.ok(body);
        }
        body.put("laggards", c.laggards());
        body.put("lagging", c.lagging());
        body.put("lost", c.lost());
        body.put("detail", detail(confirmer, c));
        return ApiResponse.of(202, body);
    }

    private static String detail(FleetConfirmer confirmer, FleetConfirmer.Confirmation c) {
        StringBuilder sb = new StringBuilder();
        if (!c.lagging().isEmpty()) {
            sb.append(c.lagging().size()).append(" gateway(s) did not apply version ").append(c.version())
                    .append(" within ").append(confirmer.timeout().toMillis()).append(" ms: ")
                    .append(String.join(", ", c.lagging()));
        }
        if (!c.lost().isEmpty()) {
            if (!sb.isEmpty()) {
                sb.append("; ");
            }
            sb.append(c.lost().size()).append(" gateway(s) lost their lease without applying version ").append(c.version())
                    .append(" (they serve their fail-safe, or are gone): ").append(String.join(", ", c.lost()));
        }
        return sb.toString();
    }
}
