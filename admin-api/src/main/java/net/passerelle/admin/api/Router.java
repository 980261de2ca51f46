package net.passerelle.admin.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The route registry: {@code (method, pattern) -> handler}, where a pattern is a path whose segments may be
 * {@code {name}} placeholders matching one non-empty segment ({@code /v1/groups/{group}/mode}). Other parts of the
 * process (cutover, spool) register their routes here before or after the server starts.
 *
 * <p>A path that matches a pattern under another method is answered {@code 405} with {@code Allow}; a path that
 * matches nothing, {@code 404}.
 */
public final class Router {

    /** One registered route; {@code open} routes need no token ({@code /healthz}, {@code /readyz}, {@code /metrics}). */
    public record Route(String method, String pattern, boolean open, Handler handler) {
        public Route {
            method = method.toUpperCase(Locale.ROOT);
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(handler, "handler");
            if (!pattern.startsWith("/")) {
                throw new IllegalArgumentException("route pattern must start with '/': " + pattern);
            }
        }

        Map<String, String> match(String[] segments) {
            String[] parts = pattern.substring(1).split("/", -1);
            if (parts.length != segments.length) {
                return null;
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < parts.length; i++) {
                String p = parts[i];
                if (p.startsWith("{") && p.endsWith("}")) {
                    if (segments[i].isEmpty()) {
                        return null;
                    }
                    params.put(p.substring(1, p.length() - 1), segments[i]);
                } else if (!p.equals(segments[i])) {
                    return null;
                }
            }
            return params;
        }
    }

    /** The outcome of routing: the route and its parameters, or the methods the path allows (empty: unknown path). */
    public record Match(Route route, Map<String, String> params, Set<String> allowed) {
    }

    private final List<Route> routes = new CopyOnWriteArrayList<>();

    /** Registers an authenticated route. */
    public Router add(String method, String pattern, Handler handler) {
        return add(new Route(method, pattern, false, handler));
    }

    /** Registers a route that needs no token. */
    public Router addOpen(String method, String pattern, Handler handler) {
        return add(new Route(method, pattern, true, handler));
    }

    public Router add(Route route) {
        for (Route r : routes) {
            if (r.method().equals(route.method()) && r.pattern().equals(route.pattern())) {
                throw new IllegalStateException("route " + route.method() + " " + route.pattern() + " is already registered");
            }
        }
        routes.add(route);
        return this;
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }

    /** @param segments the decoded path split on '/', without the leading empty segment */
    public Match match(String method, String[] segments) {
        Set<String> allowed = new LinkedHashSet<>();
        List<Route> candidates = new ArrayList<>(routes);
        // Literal segments win over placeholders: try patterns with fewer placeholders first.
        candidates.sort((a, b) -> Integer.compare(placeholders(a.pattern()), placeholders(b.pattern())));
        for (Route r : candidates) {
            Map<String, String> params = r.match(segments);
            if (params == null) {
                continue;
            }
            if (r.method().equals(method) || (method.equals("HEAD") && r.method().equals("GET") && !hasExact(candidates, "HEAD", r.pattern()))) {
                return new Match(r, params, Set.of());
            }
            allowed.add(r.method());
        }
        return new Match(null, Map.of(), allowed);
    }

    private static boolean hasExact(List<Route> routes, String method, String pattern) {
        return routes.stream().anyMatch(r -> r.method().equals(method) && r.pattern().equals(pattern));
    }

    private static int placeholders(String pattern) {
        int n = 0;
        for (int i = 0; i < pattern.length(); i++) {
            if (pattern.charAt(i) == '{') {
                n++;
            }
        }
        return n;
    }
}
