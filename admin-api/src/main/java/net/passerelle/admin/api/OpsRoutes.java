package net.passerelle.admin.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The admin listener's documents for people and tools, all read once from the jar's resources:
 * <ul>
 *   <li>{@code GET /v1/openapi.json}: the API's OpenAPI 3.1 description. It needs the token like every {@code /v1}
 *       call: the document holds no secret, but it maps the whole control surface, and the spec opens only the
 *       three probes; Kubernetes and Vault also serve theirs to authenticated callers by default.</li>
 *   <li>{@code GET /} and {@code GET /ops/{file}}: the ops page (HTML, CSS, JavaScript). These static files need no
 *       token (a browser cannot send a bearer token when it loads a page); the page asks for the token and sends it
 *       with every API call it makes, so it can show or change nothing without it. A strict
 *       Content-Security-Policy allows scripts, styles and connections from this origin only, and no inline code.</li>
 * </ul>
 */
public final class OpsRoutes {
    static final String RESOURCES = "/passerelle-admin/";
    /** Everything the page needs comes from this origin; no inline script or style, no frames, no form posts. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final Map<String, String> ASSETS = Map.of(
            "ops.js", "text/javascript; charset=utf-8",
            "ops.css", "text/css; charset=utf-8",
            "favicon.svg", "image/svg+xml");

    private OpsRoutes() {
    }

    public static Router register(Router router) {
        String openApi = resource("openapi.json");
        try {
            Json.STRICT.readTree(openApi);
        } catch (IOException e) {
            throw new IllegalStateException("the packaged OpenAPI document is not valid JSON: " + e.getMessage(), e);
        }
        router.add("GET", "/v1/openapi.json", Handler.sync(r -> ApiResponse.text(200, openApi, "application/json")));
        String page = resource("ops/index.html");
        router.addOpen("GET", "/", Handler.sync(r -> page(page, "text/html; charset=utf-8")));
        Map<String, String> assets = new LinkedHashMap<>();
        ASSETS.keySet().forEach(name -> assets.put(name, resource("ops/" + name)));
        router.addOpen("GET", "/ops/{file}", Handler.sync(r -> {
            String name = r.param("file");
            String body = assets.get(name);
            if (body == null) {
                throw ApiException.notFound("no file '" + name + "' on the ops page");
            }
            return page(body, ASSETS.get(name));
        }));
        return router;
    }

    private static ApiResponse page(String body, String contentType) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("X-Frame-Options", "DENY");
        return new ApiResponse(200, body, contentType, headers);
    }

    private static String resource(String name) {
        try (InputStream in = OpsRoutes.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("resource missing from the jar: " + RESOURCES + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
