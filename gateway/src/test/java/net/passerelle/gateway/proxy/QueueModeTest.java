package net.passerelle.gateway.proxy;

import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.config.SpoolConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.http.ForwardingHeaders;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.server.GatewayServer;
import net.passerelle.gateway.spool.Replayer;
import net.passerelle.gateway.spool.Spool;
import net.passerelle.gateway.spool.SpoolSettings;
import net.passerelle.gateway.spool.SpoolSummary;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import net.passerelle.admin.model.HostPort;
import net.passerelle.gateway.routing.RoutingTableHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Read-only with {@code writes: queue}: a write is answered 202 only once it is on disk, and replays exactly once. */
class QueueModeTest {
    private static final String HOST = "alice.gallery.example";

    @TempDir
    Path dir;
    private StubBackend backend;
    private Spool spool;
    private GatewayServer server;

    private void start(long maxEntryBytes) throws Exception {
        backend = new StubBackend();
        SpoolSettings s = SpoolSettings.from(new SpoolConfig(dir.resolve("spool").toString()));
        spool = Spool.open(new SpoolSettings(s.dir(), s.maxBytesPerGroup(), maxEntryBytes, 0, s.maxBufferedBytes(),
                s.ioThreads(), s.keepOutcomes(), s.replay()));
        RoutingTable table = RoutingTable.builder(1)
                .group(Tables.group("srv-12", Mode.READ_ONLY, WritePolicy.QUEUE, backend.address()))
                .host(HOST, "srv-12", "alice").build();
        GatewayConfig config = GatewayConfig.defaults().withListeners(List.of(HostPort.parse("127.0.0.1:0")));
        server = new GatewayServer(config, new RoutingTableHolder(table), ProxyListener.NOOP, spool).start();
    }

    @BeforeEach
    void defaults() throws Exception {
        start(1 << 20);
    }

    @AfterEach
    void stop() {
        server.close();
        spool.close();
        backend.close();
    }

    private RawHttp connect() throws Exception {
        return new RawHttp(server.boundAddresses().get(0));
    }

    @Test
    void aQueuedWriteIsAcknowledgedOnDiskAndReplayedOnceWithItsKey() throws Exception {
        String ref;
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("POST /comments.php HTTP/1.1\r\nHost: " + HOST + "\r\nCookie: pwg_id=secret\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 16\r\n\r\ncontent=so+nice!").read();
            assertEquals(202, r.status());
            ref = r.header("x-passerelle-reference");
            assertNotNull(ref);
            // reads still pass
            assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status());
        }
        SpoolSummary summary = spool.summary("srv-12");
        assertEquals(1, summary.waiting());
        assertEquals("/comments.php", summary.entries().get(0).path());
        assertEquals("GET", backend.take().method(), "only the read reached the backend");

        try (Replayer replayer = new Replayer(spool, new ForwardingHeaders(List.of(), "passerelle"))) {
            Replayer.Report report = replayer.replay("srv-12", List.of(backend.address())).get(30, TimeUnit.SECONDS);
            assertEquals(1, report.delivered());
        }
        StubBackend.Seen replayed = backend.take();
        assertEquals("POST", replayed.method());
        assertEquals(ref, replayed.header("idempotency-key"));
        assertEquals("content=so+nice!", replayed.body());
        assertEquals("127.0.0.1", replayed.header("x-forwarded-for"));
        assertEquals(2, backend.requestCount());
    }

    @Test
    void aWriteOverTheQuotaGets503NeverA202() throws Exception {
        stop();
        start(1024);
        try (RawHttp c = connect()) {
            String body = "content=" + "x".repeat(5000);
            RawHttp.Response known = c.send("POST /comments.php HTTP/1.1\r\nHost: " + HOST + "\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).read();
            assertEquals(503, known.status());
        }
        try (RawHttp c = connect()) {
            // unknown length up front: the quota is found out while streaming
            StringBuilder chunked = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                chunked.append("200\r\n").append("y".repeat(0x200)).append("\r\n");
            }
            chunked.append("0\r\n\r\n");
            RawHttp.Response streamed = c.send("PUT /upload HTTP/1.1\r\nHost: " + HOST + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + chunked).read();
            assertEquals(503, streamed.status());
        }
        assertEquals(0, spool.summary("srv-12").waiting());
        assertTrue(backend.all().isEmpty());
    }

    @Test
    void queuedUploadsAreStreamedToDisk() throws Exception {
        byte[] photo = new byte[512 * 1024];
        new java.util.Random(7).nextBytes(photo);
        try (RawHttp c = connect()) {
            c.send(("POST /ws.php?method=pwg.images.addSimple HTTP/1.1\r\nHost: " + HOST + "\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: " + photo.length + "\r\n\r\n").getBytes());
            c.send(photo);
            assertEquals(202, c.read().status());
        }
        long stored = spool.summary("srv-12").entries().get(0).sizeBytes();
        assertTrue(stored > photo.length, "the entry holds the head and the whole body: " + stored);
        assertEquals(0, backend.requestCount());
    }
}
