package net.passerelle.gateway.accesslog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.config.AccessLogConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.GatewayFixture;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One JSON line per request, for every way a request can end, with credentials never written. */
class AccessLogTest {
    private static final String DEFAULT_PAGE = "<html><head><title>Apache2 Debian Default Page: It works</title></head></html>";

    @TempDir
    Path dir;

    @Test
    void everyOutcomeGetsOneLineAndNoSecretIsWritten() throws Exception {
        StubBackend backend = new StubBackend();
        backend.respondWith((ctx, req) -> {
            String body = req.uri().startsWith("/default") ? DEFAULT_PAGE : "gallery";
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html");
            HttpUtil.setContentLength(r, r.content().readableBytes());
            ctx.writeAndFlush(r);
        });
        Path file = dir.resolve("access.log");
        AccessLogAppender appender = AccessLogAppender.install(new AccessLogConfig(true, file.toString(), null, null, null,
                null, null));
        RoutingTable table = RoutingTable.builder(1)
                .group(Tables.open("g-open", backend.address()))
                .group(Tables.group("g-ro", Mode.READ_ONLY, WritePolicy.REJECT, backend.address()))
                .host("alice.gallery.example", "g-open", "alice").host("bob.gallery.example", "g-ro", "bob").build();
        try (GatewayFixture gw = new GatewayFixture(GatewayConfig.defaults(), table,
                new AccessLog(appender.logger(), new Redaction(Redaction.DEFAULT_NAMES)))) {
            try (RawHttp c = gw.connect()) {
                assertEquals(200, c.send("GET /picture.php?/12&pwg_token=SECRET1&x=1 HTTP/1.1\r\nHost: alice.gallery.example\r\n"
                        + "Cookie: pwg_id=SECRET2\r\nAuthorization: Basic SECRET3\r\nUser-Agent: test-agent\r\n"
                        + "Referer: http://alice.gallery.example/identification.php?password=SECRET4&redirect=x\r\n\r\n")
                        .read().status());
                assertEquals(503, c.send("POST /comments.php HTTP/1.1\r\nHost: bob.gallery.example\r\nContent-Length: 0\r\n\r\n")
                        .read().status());
                assertEquals(404, c.send("GET / HTTP/1.1\r\nHost: nobody.example\r\n\r\n").read().status());
                assertEquals(502, c.send("GET /default HTTP/1.1\r\nHost: alice.gallery.example\r\n\r\n").read().status());
                assertEquals(400, c.send("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").read().status());
            }
            try (RawHttp c = gw.connect()) {
                c.send("POST /upload.php HTTP/1.1\r\nHost: alice.gallery.example\r\nContent-Length: 1000000\r\n\r\n")
                        .send(new byte[100]);
                backend.awaitHeads(3);
                c.shutdownOutput();
                assertTrue(c.isClosedByPeer());
            }
            assertTrue(gw.server().clientConnectionsClosed().awaitUninterruptibly(10, TimeUnit.SECONDS));
        } finally {
            appender.close();
            backend.close();
        }

        String text = Files.readString(file);
        for (String secret : List.of("SECRET1", "SECRET2", "SECRET3", "SECRET4")) {
            assertFalse(text.contains(secret), secret + " is in the access log:\n" + text);
        }
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            lines.add(json.readTree(line));
        }
        Map<String, JsonNode> byOutcome = lines.stream().collect(Collectors.toMap(l -> l.get("outcome").asText(), l -> l));
        assertEquals(List.of("aborted", "guarded", "malformed", "notice", "proxied", "unknown-host"),
                byOutcome.keySet().stream().sorted().toList(), text);

        JsonNode proxied = byOutcome.get("proxied");
        assertEquals(200, proxied.get("status").asInt());
        assertEquals("alice.gallery.example", proxied.get("host").asText());
        assertEquals("g-open", proxied.get("group").asText());
        assertEquals("GET", proxied.get("method").asText());
        assertEquals("/picture.php?/12&pwg_token=[redacted]&x=1", proxied.get("path").asText());
        assertEquals("http://alice.gallery.example/identification.php?password=[redacted]&redirect=x",
                proxied.get("referer").asText());
        assertEquals("test-agent", proxied.get("userAgent").asText());
        assertEquals("127.0.0.1", proxied.get("client").asText());
        assertEquals(backend.hostPort(), proxied.get("backend").asText());
        assertEquals(7, proxied.get("bytesOut").asInt());
        assertEquals("HTTP/1.1", proxied.get("protocol").asText());
        assertTrue(proxied.get("totalMs").asDouble() >= proxied.get("firstByteMs").asDouble());
        assertTrue(proxied.has("connectMs") && proxied.has("time") && proxied.has("requestId"));
        assertFalse(proxied.has("connectFailures"), "written only when a backend could not be connected to");

        assertEquals(503, byOutcome.get("notice").get("status").asInt());
        assertEquals("g-ro", byOutcome.get("notice").get("group").asText());
        assertEquals(404, byOutcome.get("unknown-host").get("status").asInt());
        assertFalse(byOutcome.get("unknown-host").has("group"));
        assertEquals(502, byOutcome.get("guarded").get("status").asInt());
        assertEquals(400, byOutcome.get("malformed").get("status").asInt());
        assertEquals(100, byOutcome.get("aborted").get("bytesIn").asInt(), text);
        assertEquals(0, appender.dropped());
    }

    /**
     * A file that cannot be opened (a path under a regular file, a read-only file system under systemd's
     * ProtectSystem=strict) must not lose the access log silently: an ERROR names accessLog.path, and every line is
     * counted as dropped.
     */
    @Test
    void anAccessLogThatCannotBeOpenedIsSaidAndItsLinesCounted() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("a-file"), "");
        String path = notADirectory.resolve("access.log").toString();
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(AccessLogAppender.class);
        log.start();
        logger.addAppender(log);
        AccessLogAppender appender;
        try {
            appender = AccessLogAppender.install(new AccessLogConfig(true, path, null, null, null, null, null));
        } finally {
            logger.detachAppender(log);
        }
        try {
            appender.logger().info(net.logstash.logback.marker.Markers.append("outcome", "lost"), "");
            appender.logger().info(net.logstash.logback.marker.Markers.append("outcome", "lost"), "");
            assertEquals(2, appender.dropped());
        } finally {
            appender.close();
        }
        List<String> errors = log.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR)
                .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("accessLog.path " + path), errors.get(0));
        assertTrue(errors.get(0).contains("passerelle_access_log_dropped_total"), errors.get(0));
    }

    /** Batched writes must not keep a quiet gateway's lines in memory: each is in the file within the flush interval. */
    @Test
    void aLineIsInTheFileWhileTheGatewayRunsNotOnlyAtClose() throws Exception {
        Path file = dir.resolve("quiet.log");
        AccessLogAppender appender = AccessLogAppender.install(new AccessLogConfig(true, file.toString(), null, null, null,
                null, null));
        try {
            appender.logger().info(net.logstash.logback.marker.Markers.append("outcome", "lonely"), "");
            net.passerelle.gateway.testing.Await.until("the line in the file, not only in memory", java.time.Duration.ofSeconds(10),
                    () -> contains(file, "\"outcome\":\"lonely\""));
        } finally {
            appender.close();
        }
    }

    /**
     * Rolled-over files are gzipped at the fastest level (FastGzipCompressor), and no line is lost on the way: every
     * archive holds exactly what level 1 makes of its lines, which level 6 (Logback's own) would not.
     */
    @Test
    void rolledOverFilesAreGzippedAtTheFastestLevelAndKeepEveryLine() throws Exception {
        Path file = dir.resolve("rolling.log");
        AccessLogAppender appender = AccessLogAppender.install(new AccessLogConfig(true, file.toString(),
                net.passerelle.gateway.config.DataSize.ofBytes(16 * 1024), null, null, null, null));
        int lines = 600;
        try {
            for (int i = 0; i < lines; i++) {
                appender.logger().info(net.logstash.logback.marker.Markers.append("path",
                        "/picture.php?/" + i + "/category/" + (i * 7919 % 1000)), "");
            }
            net.passerelle.gateway.testing.Await.until("two archives, compressed", java.time.Duration.ofSeconds(20),
                    () -> archives(file).size() >= 2 && !rawLeftovers(file));
        } finally {
            appender.close();
        }
        int seen = Files.exists(file) ? Files.readAllLines(file).size() : 0;
        for (Path archive : archives(file)) {
            byte[] compressed = Files.readAllBytes(archive);
            byte[] text;
            try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(compressed))) {
                text = in.readAllBytes();
            }
            seen += new String(text, StandardCharsets.UTF_8).split("\n").length;
            assertTrue(java.util.Arrays.equals(gzip(text, java.util.zip.Deflater.BEST_SPEED), compressed), archive + " is not level 1");
            assertFalse(java.util.Arrays.equals(gzip(text, 6), compressed), "the check cannot tell the levels apart");
        }
        assertEquals(lines, seen);
    }

    private static List<Path> archives(Path file) {
        try (var listing = Files.list(file.getParent())) {
            return listing.filter(p -> p.getFileName().toString().endsWith(".gz")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Logback renames the active file before compressing it: a leftover means compression is still running. */
    private static boolean rawLeftovers(Path file) {
        try (var listing = Files.list(file.getParent())) {
            return listing.map(p -> p.getFileName().toString())
                    .anyMatch(name -> name.startsWith(file.getFileName() + ".") && !name.endsWith(".gz"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] gzip(byte[] text, int level) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out, 64 * 1024) {
            {
                def.setLevel(level);
            }
        }) {
            gz.write(text);
        }
        return out.toByteArray();
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.exists(file) && Files.readString(file).contains(text);
        } catch (java.io.IOException e) {
            return false; // being rotated or created: look again
        }
    }
}
