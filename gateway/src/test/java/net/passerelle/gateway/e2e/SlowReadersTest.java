package net.passerelle.gateway.e2e;

import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The slow-read attack, scaled to a test: two hundred connections from four addresses each ask for two pipelined
 * 8 MiB answers and read none of it, against a gateway in its own JVM with 24 MiB of direct memory (its memory cap
 * at 18). Reading from the backends faster than the clients read would fill it within a few hundred KiB per
 * connection; the gateway must hold no more than about its client water mark (64 KiB) per connection instead, go on
 * serving everybody else, and let go of every backend connection once the slow readers leave.
 *
 * <p>A gateway that kept reading from the backends fails this test; one that reads past the client's room but
 * stops at the water mark holds about 20 KiB more per reader, which this memory does not tell apart (it needs
 * 18-22 MiB to): {@code BudgetedRecvAllocatorTest} checks that budget directly.
 */
class SlowReadersTest {
    private static final int ADDRESSES = 4;
    private static final int PER_ADDRESS = 50;
    /** Larger than what the kernel buffers on the way (the gateway's send buffer grows to 4 MiB): the JVM must hold the rest back. */
    private static final long ANSWER = 8L << 20;

    private StubBackend photos;
    private StubBackend pages;
    private GatewayProcess gateway;
    private final List<Socket> slow = new ArrayList<>();

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        photos = new StubBackend();
        photos.respondWith(StubBackend.stream(ANSWER));
        pages = new StubBackend();
        pages.respondWith(StubBackend.text("gallery index"));
        gateway = GatewayProcess.start(dir, """
                listeners: ["127.0.0.1:0"]
                admin: {enabled: false}
                seed:
                  groups:
                    photos: {backends: ["%s"]}
                    pages: {backends: ["%s"]}
                  hosts:
                    photos.example: {group: photos, account: a}
                    pages.example: {group: pages, account: b}
                """.formatted(photos.hostPort(), pages.hostPort()),
                List.of("-Xmx96m", "-XX:MaxDirectMemorySize=24m", "-XX:+UseSerialGC"));
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket s : slow) {
            s.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        photos.close();
        pages.close();
    }

    @Test
    void slowReadersFromSeveralAddressesDoNotStarveOtherVisitors() throws Exception {
        byte[] twoRequests = ("GET /big1.jpg HTTP/1.1\r\nHost: photos.example\r\n\r\n"
                + "GET /big2.jpg HTTP/1.1\r\nHost: photos.example\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        for (int a = 0; a < ADDRESSES; a++) {
            for (int i = 0; i < PER_ADDRESS; i++) {
                Socket s = new Socket();
                s.setReceiveBufferSize(2048);
                s.bind(new InetSocketAddress("127.0.0." + (2 + a), 0));
                s.connect(gateway.address());
                s.getOutputStream().write(twoRequests);
                slow.add(s);
            }
        }
        for (int i = 0; i < ADDRESSES * PER_ADDRESS; i++) {
            photos.awaitHead();
        }
        // Every slow reader has its first answer under way, and reads none of it.
        for (int i = 0; i < 50; i++) {
            try (RawHttp probe = new RawHttp(gateway.address())) {
                RawHttp.Response r = probe.send("GET / HTTP/1.1\r\nHost: pages.example\r\n\r\n").read();
                assertEquals(200, r.status(), "probe " + i + " while slow readers hold their answers: " + r.bodyText());
                assertEquals("gallery index", r.bodyText());
            }
        }
        assertTrue(gateway.isAlive(), gateway.output());
        String log = gateway.output();
        assertFalse(log.contains("OutOfMemory") || log.contains("OutOfDirectMemory"), log);
        assertFalse(log.contains("maxBufferedMemory"), "the memory cap was reached:\n" + log);

        for (Socket s : slow) {
            s.close();
        }
        slow.clear();
        assertTrue(photos.openConnectionsClosed().awaitUninterruptibly(20, TimeUnit.SECONDS),
                () -> photos.openConnections() + " backend connections of the slow readers are still open after they left\n"
                        + tail(gateway.output()));
    }

    private static String tail(String log) {

        return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    }
}
