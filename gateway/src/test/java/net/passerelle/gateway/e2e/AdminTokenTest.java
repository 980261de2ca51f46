package net.passerelle.gateway.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fresh start with no token configured, as a new user makes it: the admin API does not run open. It generates a
 * token into {@code ./data/admin-token} (mode 0600), the log says where, and a call without it is refused.
 */
class AdminTokenTest {
    static final Pattern ADMIN = Pattern.compile("admin API listening on /127\\.0\\.0\\.1:(\\d+)");

    @Test
    void aFreshStartWithoutATokenGeneratesOneAndSaysWhere(@TempDir Path dir) throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dir, """
                listeners: ["127.0.0.1:0"]
                admin: {listen: "127.0.0.1:0"}
                """, List.of("-Xmx96m", "-XX:+UseSerialGC"))) {
            int port = adminPort(gateway);
            Path file = dir.resolve("data").resolve("admin-token").toAbsolutePath();
            assertTrue(gateway.output().contains("generated into " + file + " (mode 0600"), gateway.output());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            String token = Files.readString(file).strip();
            assertEquals(64, token.length(), "32 random bytes, in hex");
            assertFalse(gateway.output().contains(token), "the token itself is never logged");

            HttpClient http = HttpClient.newHttpClient();
            assertEquals(401, get(http, port, null));
            assertEquals(401, get(http, port, "not-the-token"));
            assertEquals(200, get(http, port, token));
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("passerelle_admin_auth_failures_total 2.0"), "failures are counted");
        }
    }

    private static int get(HttpClient http, int port, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/groups"))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** The admin listener's port, from the gateway's log (it comes right after the data plane's). */
    private static int adminPort(GatewayProcess gateway) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Matcher m = ADMIN.matcher(gateway.output());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        throw new AssertionError("the admin API did not say where it listens:\n" + gateway.output());
    }
}
