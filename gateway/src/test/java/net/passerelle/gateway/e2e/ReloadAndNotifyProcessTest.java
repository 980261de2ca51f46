package net.passerelle.gateway.e2e;

import net.passerelle.gateway.systemd.NotifySocket;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway as systemd runs it, in a process of its own with a NOTIFY_SOCKET that the test bound: READY=1 once it
 * serves, WATCHDOG=1 pings, SIGHUP reloads the file (RELOADING=1 then READY=1) with a connection open, which is
 * still served afterwards while the new log levels are in force; a bad file changes nothing; SIGTERM says STOPPING=1.
 */
class ReloadAndNotifyProcessTest {
    private static final String HOST = "alice.gallery.example";
    private static final String TOKEN = "reload-token";
    private static final Pattern ADMIN = Pattern.compile("admin API listening on /127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    private static String config(String backend, String extra) {
        return """
                listeners: ["127.0.0.1:0"]
                admin: {listen: "127.0.0.1:0", token: "%s"}
                seed:
                  groups:
                    srv-12: {backends: ["%s"]}
                  hosts:
                    %s: {group: srv-12, account: alice}
                %s
                """.formatted(TOKEN, backend, HOST, extra);
    }

    @Test
    void sighupReloadsWithoutDroppingAConnectionAndSystemdHearsOfEachStep() throws Exception {
        try (StubBackend backend = new StubBackend(); NotifySocket systemd = new NotifySocket(dir.resolve("notify").toString());
             GatewayProcess gateway = GatewayProcess.start(dir, config(backend.hostPort(), "logging: {level: info}"),
                     List.of("-Xmx128m"), Map.of("NOTIFY_SOCKET", systemd.name(), "WATCHDOG_USEC", "2000000"))) {
            String ready = systemd.await("READY=1", 30);
            assertTrue(ready.contains("STATUS=serving 1 hosts in 1 groups"), ready);
            assertTrue(ready.contains(String.valueOf(gateway.address().getPort())), "ready once the listener is bound: " + ready);
            assertEquals("WATCHDOG=1", systemd.await("WATCHDOG=1", 10));
            int adminPort = adminPort(gateway);
            assertEquals(200, admin(adminPort, "/v1/gateways"));

            try (RawHttp kept = new RawHttp(gateway.address())) {
                assertEquals(200, get(kept).status());
                assertEquals(200, post(kept, 2000).status());
                Files.writeString(gateway.configFile(), config(backend.hostPort(), """
                        logging: {level: info, loggers: {net.passerelle.admin.api: debug}}
                        limits: {idleTimeout: 30s, maxBodySize: 1KiB}
                        """).replace("listeners: [\"127.0.0.1:0\"]", "listeners: [\"127.0.0.1:0\", \"[::1]:0\"]"));
                hangUp(gateway);
                systemd.await("RELOADING=1", 10);
                assertTrue(systemd.await("READY=1", 10).contains("STATUS=serving"));
                awaitOutput(gateway, "configuration reloaded from");
                String log = gateway.output();
                assertTrue(log.contains("configuration change logging.loggers: {} -> {net.passerelle.admin.api=debug}"), log);
                assertTrue(log.contains("configuration change limits.idleTimeout: 1m -> 30s"), log);
                assertTrue(log.contains("these need a restart to take effect: listeners"), log);
                assertTrue(log.contains("limits, timeouts and classification reloaded"), log);

                assertEquals(200, get(kept).status(), "the connection opened before the reload is still served");
                assertEquals(413, post(kept, 2000).status(), "the reloaded body limit is in force on that connection");
                assertEquals(200, admin(adminPort, "/v1/gateways"));
                awaitOutput(gateway, "GET /v1/gateways by admin");
                assertEquals(1, count(gateway.output(), "GET /v1/gateways by admin"),
                        "debug logging of the admin API is in force after the reload, and was not before");

                Files.writeString(gateway.configFile(), config(backend.hostPort(), "limits: {idleTimeout: soon}"));
                hangUp(gateway);
                systemd.await("RELOADING=1", 10);
                assertTrue(systemd.await("READY=1", 10).contains("STATUS=reload refused"));
                awaitOutput(gateway, "reload refused, nothing changed");
                assertTrue(gateway.output().contains("passerelle.yml:8: bad value for 'limits.idleTimeout'"), gateway.output());
                try (RawHttp again = new RawHttp(gateway.address())) {
                    assertEquals(200, get(again).status());
                }
                assertEquals(200, admin(adminPort, "/v1/groups"));
                awaitOutput(gateway, "GET /v1/groups by admin");
            }
            long t0 = System.nanoTime();
            assertEquals(143, gateway.stop(), "128 + SIGTERM, as the JVM exits on it (the unit says SuccessExitStatus=143)");
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "a quick drain: " + gateway.output());
            assertTrue(systemd.await("STOPPING=1", 10).contains("STATUS=draining"));
        }
    }

    private static RawHttp.Response get(RawHttp c) throws Exception {
        return c.send("GET /index.php HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read();
    }

    private static RawHttp.Response post(RawHttp c, int bytes) throws Exception {
        return c.send("POST /upload.php HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: " + bytes + "\r\n\r\n"
                + "x".repeat(bytes)).read();
    }

    private static void hangUp(GatewayProcess gateway) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(gateway.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue());
    }

    private static int admin(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static int adminPort(GatewayProcess gateway) {
        awaitOutput(gateway, "admin API listening on");
        Matcher m = ADMIN.matcher(gateway.output());
        assertTrue(m.find(), gateway.output());
        return Integer.parseInt(m.group(1));
    }

    /** The gateway's log is read by another thread: wait (bounded) until it shows {@code text}. */
    private static void awaitOutput(GatewayProcess gateway, String text) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!gateway.output().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the gateway never logged '" + text + "':\n" + gateway.output());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
