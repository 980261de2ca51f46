package net.passerelle.gateway.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import net.passerelle.admin.api.Router;
import net.passerelle.gateway.Passerelle;
import net.passerelle.gateway.config.StoreConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.admin.model.HostPort;
import net.passerelle.gateway.config.TlsConfig;
import net.passerelle.gateway.testing.OpsGateway;
import net.passerelle.gateway.testing.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /v1/openapi.json} against the real process: the document is valid OpenAPI 3.1 (swagger-parser), names
 * exactly the routes the router has, with their methods, and every status code it documents for an operation is
 * one that the operation really answers (each is produced below by a real call), and no call answers a status
 * the document does not list.
 */
class OpenApiDocumentTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    @TempDir
    static Path dir;
    static OpsGateway ops;
    static JsonNode doc;

    @BeforeAll
    static void start() throws Exception {
        ops = new OpsGateway(dir, c -> withTls(OpsGateway.quickConfirmation(c)));
        OpsGateway.Answer a = ops.admin("GET", "/v1/openapi.json", null);
        assertEquals(200, a.status());
        doc = a.json();
    }

    /**
     * TLS on, so that the certificate routes exist: bob's certificate from a file, ACME on with a server never
     * reached (a renewal is only started, in the background).
     */
    private static GatewayConfig withTls(GatewayConfig c) {
        Path certs = dir.resolve("certs");
        try {
            Files.createDirectories(certs);
            TestPki.write(certs, "bob", new TestPki().issue(OpsGateway.BOB), TestPki.KeyForm.PKCS8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return c.withTls(new TlsConfig(List.of(HostPort.parse("127.0.0.1:0")),
                new TlsConfig.CertificatesConfig(certs.toString(), false), null, false, "auto", null, null, null,
                new TlsConfig.AcmeConfig("https://127.0.0.1:1/directory", null, null, "openapi test", null, null, null,
                        null, null, null)));
    }

    @AfterAll
    static void stop() {
        ops.close();
    }

    @Test
    void theDocumentNeedsTheTokenLikeEveryV1Call() throws Exception {
        assertEquals(401, ops.admin("GET", "/v1/openapi.json", null, false).status());
    }

    @Test
    void itIsValidOpenApi31() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIParser().readContents(doc.toString(), null, options);
        assertTrue(result.getMessages() == null || result.getMessages().isEmpty(), "parser messages: " + result.getMessages());
        assertEquals(SpecVersion.V31, result.getOpenAPI().getSpecVersion());
        assertEquals("3.1.0", result.getOpenAPI().getOpenapi());
        Set<String> ids = new TreeSet<>();
        operations().forEach((op, node) -> assertTrue(ids.add(node.path("operationId").asText()), "duplicate operationId at " + op));
    }

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedOperationIsARoute() {
        Router router = ops.gateway.adminRoutes();
        Set<String> routes = new TreeSet<>();
        for (Router.Route r : router.routes()) {
            routes.add(r.method() + " " + r.pattern());
        }
        assertEquals(routes, operations().keySet());
    }

    @Test
    void openRoutesAreDocumentedAsOpenAndOthersAnswer401WithoutTheToken() throws Exception {
        for (Router.Route r : ops.gateway.adminRoutes().routes()) {
            JsonNode op = operations().get(r.method() + " " + r.pattern());
            boolean documentedOpen = op.has("security") && op.path("security").isEmpty();
            assertEquals(r.open(), documentedOpen, r.method() + " " + r.pattern());
            String path = r.pattern().replaceAll("\\{[^}]+}", "x");
            int status = ops.admin(r.method(), path, r.method().equals("GET") ? null : "{}", false).status();
            if (r.open()) {
                assertNotEquals(401, status, path);
            } else {
                assertEquals(401, status, r.method() + " " + path);
                assertTrue(op.path("responses").has("401"), r.method() + " " + r.pattern() + " does not document 401");
            }
        }
    }

    @Test
    void everyDocumentedStatusIsOneTheRouteReallyAnswers() throws Exception {
        Set<String> documented = new TreeSet<>();
        operations().forEach((op, node) -> node.path("responses").fieldNames().forEachRemaining(code -> {
            if (!code.equals("401")) {
                documented.add(op + " " + code);
            }
        }));
        Set<String> observed = new StatusTour(ops).run();
        observed.add("GET /readyz " + unreadyStatus());
        assertEquals(documented, observed);
    }

    /** A gateway without a lease (its store cannot be opened), set to go unready when it has none, is not ready. */
    private static int unreadyStatus() throws Exception {
        Path d = dir.resolve("unready");
        GatewayConfig c = OpsGateway.config(d, ops.backend.hostPort());
        c = c.withStore(new StoreConfig("jdbc:mariadb://127.0.0.1:1/none", "", "", Duration.ofMillis(50),
                d.resolve("snapshot.json").toString(), Duration.ofSeconds(1), "unready", Duration.ZERO));
        try (Passerelle p = Passerelle.start(c)) {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + p.adminAddress().getPort() + "/readyz")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return r.statusCode();
        }
    }

    /** "METHOD /pattern" -> operation, for every operation of the document. */
    static Map<String, JsonNode> operations() {
        Map<String, JsonNode> ops = new java.util.TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> path = it.next();
            path.getValue().fields().forEachRemaining(m -> {
                if (METHODS.contains(m.getKey())) {
                    ops.put(m.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), m.getValue());
                }
            });
        }
        return ops;
    }
}
