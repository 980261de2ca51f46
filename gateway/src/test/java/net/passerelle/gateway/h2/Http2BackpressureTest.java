package net.passerelle.gateway.h2;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import net.passerelle.gateway.config.DataSize;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.config.Http2Config;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.GatewayFixture;
import net.passerelle.gateway.testing.H2Client;
import net.passerelle.gateway.testing.RawH2;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flow control gives backpressure per stream: a stream whose backend (or whose client) does not keep up holds its own
 * window, never what the other streams of the connection need.
 */
class Http2BackpressureTest {
    private static final String ALICE = "alice.gallery.example";
    private static final String STUCK = "stuck.gallery.example";

    private StubBackend backend;
    private ServerSocket deaf;
    private final List<Socket> deafConnections = new CopyOnWriteArrayList<>();
    private GatewayFixture gateway;

    private void start(Http2Config http2) throws Exception {
        backend = new StubBackend();
        // A backend that accepts and never reads: what it is sent stays in the sockets' buffers.
        deaf = new ServerSocket();
        deaf.setReceiveBufferSize(4096);
        deaf.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    deafConnections.add(deaf.accept());
                }
            } catch (IOException closed) {
                // the test is over
            }
        }, "deaf-backend");
        acceptor.setDaemon(true);
        acceptor.start();
        RoutingTable table = RoutingTable.builder(1)
                .group(Tables.open("srv-12", backend.address()))
                .group(Tables.open("srv-stuck", (InetSocketAddress) deaf.getLocalSocketAddress()))
                .host(ALICE, "srv-12", "alice")
                .host(STUCK, "srv-stuck", "stuck").build();
        gateway = new GatewayFixture(GatewayConfig.defaults().withHttp2(http2.withCleartext(true)), table);
    }

    @AfterEach
    void stop() throws IOException {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
        if (deaf != null) {
            deaf.close();
            for (Socket s : deafConnections) {
                s.close();
            }
        }
    }

    @Test
    void anUploadStuckAtItsBackendDoesNotHoldTheOtherStreamsOfTheConnection() throws Exception {
        start(Http2Config.defaults());
        try (H2Client client = H2Client.priorKnowledge(gateway.ipv4())) {
            Http2StreamChannel stuck = client.open(new CompletableFuture<>());
            HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
            head.headers().set(HttpHeaderNames.HOST, STUCK);
            stuck.writeAndFlush(head);
            pumpUntilTheGatewayStopsTakingIt(client, stuck);

            String body = "x".repeat(300_000);
            H2Client.Response r = client.send(H2Client.request(HttpMethod.POST, ALICE, "/upload", body))
                    .get(15, TimeUnit.SECONDS);
            assertEquals(200, r.status());
            assertEquals(300_000, backend.take().bodyBytes());
        }
    }

    /**
     * Writes the stuck stream's body until the gateway takes no more of it: its backend stopped reading, so the gateway
     * stopped reading the stream, whose unread DATA then holds a stream window in the gateway. "No more" is the stream
     * window spent and the connection silent for half a second while the body waits: the absence of progress has no
     * event to wait for (the kernel's buffers towards the deaf backend decide when it starts, at some megabytes).
     */
    private static void pumpUntilTheGatewayStopsTakingIt(H2Client client, Http2StreamChannel stream) throws Exception {
        Http2FrameCodec codec = client.channel().pipeline().get(Http2FrameCodec.class);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long quietSince = 0;
        long lastSent = -1;
        while (System.nanoTime() - deadline < 0) {
            if (stream.isWritable()) {
                stream.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[16384])));
                quietSince = 0;
                continue;
            }
            int window = client.channel().eventLoop().submit(() -> {
                Http2Stream s = codec.connection().stream(stream.stream().id());
                return s == null ? -1 : codec.connection().remote().flowController().windowSize(s);
            }).get();
            long sent = client.bytesSent();
            if (window != 0 || sent != lastSent) {
                lastSent = sent;
                quietSince = 0;
            } else if (quietSince == 0) {
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > TimeUnit.MILLISECONDS.toNanos(500)) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        throw new AssertionError("the gateway kept taking the body of a backend that reads nothing");
    }

    @Test
    void aStreamWhoseClientReadsNothingDoesNotHoldTheOthers() throws Exception {
        start(Http2Config.defaults());
        backend.respondWith(StubBackend.stream(1 << 20));
        try (RawH2 c = new RawH2(gateway.ipv4())) {
            c.headers(1, RawH2.request("GET", ALICE, "/slow-reader"), true);
            c.headers(3, RawH2.request("GET", ALICE, "/fast-reader"), true);
            long slow = 0;
            long fast = 0;
            while (true) {
                RawH2.Frame f = c.await(x -> x.is(Http2FrameTypes.DATA));
                // The connection's window is always given back; only stream 3's own window is.
                c.windowUpdate(0, Math.max(1, f.dataBytes()));
                if (f.streamId() == 3) {
                    fast += f.dataBytes();
                    if (f.dataBytes() > 0) {
                        c.windowUpdate(3, f.dataBytes());
                    }
                    if (f.endStream()) {
                        break;
                    }
                } else {
                    slow += f.dataBytes();
                }
                c.flush();
            }
            assertEquals(1 << 20, fast, "the stream whose client reads got all of its response");
            assertTrue(slow <= 65535, "the other stream got no more than its window: " + slow);
        }
    }

    @Test
    void theDefaultConnectionWindowCoversEveryStreamsWindow() {
        // The configuration that the first test relies on: the connection window covers every stream's window.
        Http2Config defaults = Http2Config.defaults();
        assertEquals((long) defaults.maxConcurrentStreams() * defaults.initialWindowSize().bytes(),
                defaults.effectiveConnectionWindow());
        Http2Config explicit = new Http2Config(null, null, null, null, null, DataSize.ofBytes(1 << 20), null, null,
                null, null, null);
        assertEquals(1 << 20, explicit.effectiveConnectionWindow());
    }
}
