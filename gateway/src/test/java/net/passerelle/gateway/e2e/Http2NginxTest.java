package net.passerelle.gateway.e2e;

import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.config.Http2Config;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.GatewayFixture;
import net.passerelle.gateway.testing.H2Client;
import net.passerelle.gateway.testing.H2Gateway;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A browser's visit over HTTP/2: a gallery page and its 50 thumbnails over one connection, through the gateway to a
 * real nginx (HTTP/1.1 behind), with real HTTP/2 clients: curl ({@code --http2-prior-knowledge}, and {@code --http2}
 * over TLS), nghttp (Debian's {@code nghttp2-client}) and Netty's client.
 */
class Http2NginxTest {
    private static final String HOST = "alice.gallery.example";
    private static final int THUMBNAILS = 50;

    private static NginxBackend nginx;
    private static GatewayFixture cleartext;
    private static H2Gateway tls;
    private static final List<byte[]> thumbnails = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        StringBuilder page = new StringBuilder("<!DOCTYPE html><html><head><title>alice's gallery</title></head><body>\n");
        for (int i = 0; i < THUMBNAILS; i++) {
            page.append("<img src=\"/thumbs/t").append(i).append(".jpg\">\n");
        }
        nginx = NginxBackend.start(List.of(NginxBackend.Vhost.both(HOST, page.append("</body></html>\n").toString())));
        Path thumbs = Files.createDirectories(nginx.root(HOST).resolve("thumbs"));
        Random random = new Random(12);
        for (int i = 0; i < THUMBNAILS; i++) {
            byte[] t = new byte[2000 + 300 * i];
            random.nextBytes(t);
            thumbnails.add(t);
            Files.write(thumbs.resolve("t" + i + ".jpg"), t);
        }
        RoutingTable table = RoutingTable.builder(1).group(Tables.open("srv-12", nginx.ipv4()))
                .host(HOST, "srv-12", "alice").build();
        GatewayConfig config = GatewayConfig.defaults().withHttp2(Http2Config.defaults().withCleartext(true));
        cleartext = new GatewayFixture(config, table);
        tls = H2Gateway.tls(GatewayConfig.defaults(), table, true, HOST);
    }

    @AfterAll
    static void stop() {
        if (cleartext != null) {
            cleartext.close();
        }
        if (tls != null) {
            tls.close();
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    private static List<String> urls(String base) {
        List<String> urls = new ArrayList<>();
        urls.add(base + "/");
        for (int i = 0; i < THUMBNAILS; i++) {
            urls.add(base + "/thumbs/t" + i + ".jpg");
        }
        return urls;
    }

    @Test
    void nettysClientLoadsThePageAndItsThumbnailsOverOneConnection() throws Exception {
        // Connections of the other tests (curl, nghttp: gone already) are closed, so the count below is this one's.
        assertTrue(cleartext.server().clientConnectionsClosed().await(10, TimeUnit.SECONDS));
        int before = nginx.accessLog().size();
        try (H2Client browser = H2Client.priorKnowledge(cleartext.ipv4())) {
            H2Client.Response page = browser.get(HOST, "/");
            assertEquals(200, page.status());
            assertTrue(page.body().contains("alice's gallery"));
            List<CompletableFuture<H2Client.Response>> all = new ArrayList<>();
            for (int i = 0; i < THUMBNAILS; i++) {
                all.add(browser.send(H2Client.request(io.netty.handler.codec.http.HttpMethod.GET, HOST, "/thumbs/t" + i + ".jpg", null)));
            }
            for (int i = 0; i < THUMBNAILS; i++) {
                H2Client.Response r = all.get(i).get(30, TimeUnit.SECONDS);
                assertEquals(200, r.status(), "thumbnail " + i);
                assertEquals(thumbnails.get(i).length, Integer.parseInt(r.header("content-length")), "thumbnail " + i);
                assertEquals(new String(thumbnails.get(i), StandardCharsets.UTF_8), r.body(), "thumbnail " + i);
            }
            assertEquals(1, cleartext.server().openClientConnections(), "one connection for the whole page");
        }
        assertEquals(1 + THUMBNAILS, nginx.accessLog().size() - before);
    }

    @Test
    void nghttpLoadsThePageAndItsThumbnailsOverOneCleartextConnection() throws Exception {
        InetSocketAddress a = cleartext.ipv4();
        List<String> cmd = new ArrayList<>(List.of("nghttp", "-ns", "-H", ":authority: " + HOST));
        cmd.addAll(urls("http://127.0.0.1:" + a.getPort()));
        assertAll200(run(cmd));
    }

    @Test
    void nghttpOverTlsNegotiatesH2AndLoadsThemAllToo() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("nghttp", "-nsv", "-H", ":authority: " + HOST));
        cmd.addAll(urls("https://127.0.0.1:" + tls.address().getPort()));
        String out = run(cmd);
        assertTrue(out.contains("The negotiated protocol: h2"), out);
        assertAll200(out);
    }

    /** nghttp's statistics: one line per request, with its status; every one 200. */
    private static void assertAll200(String out) {
        long ok = out.lines().filter(l -> l.matches("\\s*\\d+\\s+\\+\\S+\\s+\\+\\S+\\s+\\S+\\s+200\\s.*")).count();
        assertEquals(1 + THUMBNAILS, ok, out);
    }

    @Test
    void curlWithPriorKnowledge() throws Exception {
        String out = run(List.of("curl", "-sS", "--http2-prior-knowledge", "-H", "Host: " + HOST,
                "-w", "\n%{http_version} %{http_code}", "http://127.0.0.1:" + cleartext.ipv4().getPort() + "/"));
        assertTrue(out.contains("alice's gallery"), out);
        assertTrue(out.endsWith("2 200"), out);
        String unknown = run(List.of("curl", "-sS", "--http2-prior-knowledge", "-H", "Host: mallory.example",
                "-o", "/dev/null", "-w", "%{http_version} %{http_code}", "http://127.0.0.1:" + cleartext.ipv4().getPort() + "/"));
        assertEquals("2 404", unknown);
    }

    @Test
    void curlOverTlsNegotiatesH2() throws Exception {
        int port = tls.address().getPort();
        String out = run(List.of("curl", "-sS", "--http2", "--cacert", tls.certificatePem().getPath(),
                "--resolve", HOST + ":" + port + ":127.0.0.1", "-w", "\n%{http_version} %{http_code}",
                "https://" + HOST + ":" + port + "/thumbs/t7.jpg", "-o", "/dev/null"));
        assertEquals("2 200", out.strip());
    }

    /** Runs a client to completion (bounded), and gives its standard output; a failure shows what it said. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Path err = Files.createTempFile("h2-client", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command.get(0) + " did not finish");
            }
            assertEquals(0, p.exitValue(), command + " failed: " + out + Files.readString(err));
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(command.get(0) + " is not installed; the end-to-end tests need it "
                    + "(apt-get install -y curl nghttp2-client)", e);
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
