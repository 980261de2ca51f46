package net.passerelle.gateway.e2e;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 100 MiB each way through a gateway that runs, as users run it, in its own JVM with a 96 MiB heap (and so at most
 * 96 MiB of direct memory): bodies must stream, and backpressure must hold when the client is slower than the
 * backend. The bytes are generated and digested on the fly on both ends; nobody keeps them.
 */
class BigTransferTest {
    private static final long SIZE = 100L << 20;
    private static final long UP_SEED = 20261122L;
    private static final long DOWN_SEED = 8_00L;
    private static final String HOST = "alice.gallery.example";

    private static StubBackend backend;
    private static GatewayProcess gateway;
    private static String downDigest;
    private static final AtomicLong backendSent = new AtomicLong();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        backend = new StubBackend();
        gateway = GatewayProcess.start(dir, """
                listeners: ["127.0.0.1:0"]
                admin: {enabled: false}
                seed:
                  groups:
                    srv-12: {backends: ["%s"]}
                  hosts:
                    %s: {group: srv-12, account: alice}
                """.formatted(backend.hostPort(), HOST),
                List.of("-Xmx96m", "-XX:MaxDirectMemorySize=96m", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC",
                        "-Dio.netty.leakDetection.level=paranoid"));
        downDigest = Payload.sha256(SIZE, DOWN_SEED);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    /** After every test: the gateway lives, and it never ran out of memory or leaked a buffer. */
    @AfterEach
    void gatewayIsHealthy() {
        assertTrue(gateway.isAlive(), "the gateway process died:\n" + gateway.output());
        String out = gateway.output();
        assertFalse(out.contains("OutOfMemoryError") || out.contains("OutOfDirectMemoryError"), out);
        assertFalse(out.contains("LEAK:"), out);
    }

    private static String head(String method, String framing) {
        return method + " /ws.php?method=pwg.images.addSimple HTTP/1.1\r\nHost: " + HOST + "\r\n"
                + "Content-Type: application/octet-stream\r\n" + framing + "\r\n";
    }

    @Test
    void uploadOf100MiBWithContentLength() throws Exception {
        backend.respondWith(StubBackend.text("stored"));
        try (RawHttp c = new RawHttp(gateway.address())) {
            c.send(head("POST", "Content-Length: " + SIZE + "\r\n"));
            OutputStream out = c.output();
            Payload p = new Payload(SIZE, UP_SEED);
            byte[] buf = new byte[Payload.PIECE];
            int n;
            while ((n = p.next(buf)) > 0) {
                out.write(buf, 0, n);
            }
            out.flush();
            RawHttp.Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("stored", r.bodyText());
        }
        StubBackend.Seen seen = upload("POST");
        assertEquals(SIZE, seen.bodyBytes());
        assertEquals(Payload.sha256(SIZE, UP_SEED), seen.bodySha256());
        assertEquals(String.valueOf(SIZE), seen.header("content-length"));
    }

    @Test
    void chunkedUploadOf100MiB() throws Exception {
        backend.respondWith(StubBackend.text("stored"));
        try (RawHttp c = new RawHttp(gateway.address())) {
            c.send(head("PUT", "Transfer-Encoding: chunked\r\n"));
            OutputStream out = c.output();
            Payload p = new Payload(SIZE, UP_SEED + 1);
            byte[] buf = new byte[Payload.PIECE];
            int n;
            while ((n = p.next(buf)) > 0) {
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(buf, 0, n);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertEquals(200, c.read().status());
        }
        StubBackend.Seen seen = upload("PUT");
        assertEquals(SIZE, seen.bodyBytes());
        assertEquals(Payload.sha256(SIZE, UP_SEED + 1), seen.bodySha256());
    }

    /** The upload the backend saw (the downloads of other tests are in the same queue). */
    private static StubBackend.Seen upload(String method) throws InterruptedException {
        StubBackend.Seen s;
        do {
            s = backend.take();
        } while (!s.method().equals(method));
        return s;
    }

    @Test
    void downloadOf100MiB() throws Exception {
        backend.respondWith(streaming(SIZE, DOWN_SEED));
        try (Socket s = new Socket()) {
            s.connect(gateway.address(), 5000);
            s.setSoTimeout(30000);
            s.getOutputStream().write(("GET /upload/big.jpg HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Payload.Digested r = Payload.read(new BufferedInputStream(s.getInputStream(), 1 << 16), 1 << 16, received -> { });
            assertEquals(200, r.status());
            assertEquals(SIZE, r.bodyBytes());
            assertEquals(downDigest, r.sha256());
        }
    }

    /**
     * A client that reads in 16 KiB bursts with pauses, far slower than the backend can send. Without backpressure
     * the gateway would read the whole body from the backend and hold what the client has not taken yet; here the
     * bytes "in flight" (sent by the backend, not yet received by the client) stay within what the kernel's socket
     * buffers on the way hold.
     */
    @Test
    void slowReaderOf100MiBDownloadIsPacedByBackpressure() throws Exception {
        backend.respondWith(streaming(SIZE, DOWN_SEED));
        AtomicLong maxInFlight = new AtomicLong();
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(gateway.address(), 5000);
            s.setSoTimeout(30000);
            s.getOutputStream().write(("GET /upload/big.jpg HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            long[] lastPause = {0};
            Payload.Digested r = Payload.read(s.getInputStream(), 16 * 1024, received -> {
                maxInFlight.accumulateAndGet(backendSent.get() - received, Math::max);
                if (received - lastPause[0] >= 256 * 1024) {
                    lastPause[0] = received;
                    pace();
                }
            });
            assertEquals(200, r.status());
            assertEquals(SIZE, r.bodyBytes());
            assertEquals(downDigest, r.sha256());
        }
        System.out.printf("slow reader: at most %.1f MiB in flight%n", maxInFlight.get() / 1048576.0);
        assertTrue(maxInFlight.get() < 48L << 20, "up to " + (maxInFlight.get() >> 20)
                + " MiB were sent by the backend and not yet received by the client");
    }

    /** A slow client's pause: pacing, not synchronisation. */
    private static void pace() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Answers with {@code size} generated bytes, one 64 KiB piece at a time: the next piece is written when the
     * previous one has gone to the socket, so the backend never holds more than one piece, and
     * {@link #backendSent} counts what has left it.
     */
    private static StubBackend.Responder streaming(long size, long seed) {
        return (ctx, req) -> {
            backendSent.set(0);
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "image/jpeg").set(HttpHeaderNames.CONTENT_LENGTH, size);
            ctx.write(head);
            new Streamer(ctx, new Payload(size, seed)).next();
        };
    }

    private static final class Streamer {
        private final ChannelHandlerContext ctx;
        private final Payload payload;
        private final byte[] buf = new byte[Payload.PIECE];

        Streamer(ChannelHandlerContext ctx, Payload payload) {
            this.ctx = ctx;
            this.payload = payload;
        }

        void next() {
            int n = payload.next(buf);
            if (n == 0) {
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                return;
            }
            ByteBuf piece = ctx.alloc().buffer(n);
            piece.writeBytes(buf, 0, n);
            ctx.writeAndFlush(new DefaultHttpContent(piece)).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    backendSent.addAndGet(n);
                    next();
                } else {
                    f.channel().close();
                }
            });
        }
    }
}
