package net.passerelle.admin.api;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Streamed answers of the admin server: chunked, ended by the producer or by the client, counted, bounded. */
class AdminStreamTest {
    private static final String TOKEN = "stream-token";
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger closed = new AtomicInteger();
    private AdminServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        ticks.shutdownNow();
    }

    /** Sends {@code n} events (forever for a negative n) every 5 ms, then ends the stream. */
    private StreamBody events(int n) {
        return sink -> {
            AtomicInteger sent = new AtomicInteger();
            sink.onClose(closed::incrementAndGet);
            ticks.scheduleWithFixedDelay(() -> {
                if (!sink.isOpen()) {
                    throw new IllegalStateException("stop ticking"); // ends this schedule
                }
                if (n >= 0 && sent.get() == n) {
                    sink.close();
                    return;
                }
                sink.send("event: tick\ndata: " + sent.incrementAndGet() + "\n\n");
            }, 0, 5, TimeUnit.MILLISECONDS);
        };
    }

    private void start() throws Exception {
        Router router = new Router();
        router.add("GET", "/v1/stream/{n}", Handler.sync(r -> new ApiResponse(200, events(Integer.parseInt(r.param("n"))),
                "text/event-stream", null)));
        server = new AdminServer(new InetSocketAddress("127.0.0.1", 0), new Authenticator(Map.of("admin", TOKEN), 1000),
                router).start();
    }

    private Socket open(String path) throws Exception {
        Socket s = new Socket("127.0.0.1", server.address().getPort());
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    @Test
    void aStreamIsChunkedAndEndsWhenItsProducerEndsIt() throws Exception {
        start();
        try (Socket s = open("/v1/stream/3")) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            for (String line; (line = in.readLine()) != null; ) {
                lines.add(line);
            }
            assertEquals("HTTP/1.1 200 OK", lines.get(0));
            assertTrue(lines.contains("content-type: text/event-stream"), lines.toString());
            assertTrue(lines.contains("transfer-encoding: chunked"), lines.toString());
            assertEquals(List.of("data: 1", "data: 2", "data: 3"), lines.stream().filter(l -> l.startsWith("data: ")).toList());
            assertEquals("0", lines.get(lines.size() - 2), "the last chunk, then the connection closed");
        }
        awaitNoStream();
        assertEquals(1, closed.get());
    }

    @Test
    void aClientThatGoesAwayEndsTheStreamAndItsProducer() throws Exception {
        start();
        try (Socket s = open("/v1/stream/-1")) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            int data = 0;
            while (data < 5) {
                String line = in.readLine();
                data += line != null && line.startsWith("data: ") ? 1 : 0;
            }
            assertEquals(1, server.openStreams());
        }
        awaitNoStream();
        assertEquals(1, closed.get(), "the producer heard the close once");
    }

    @Test
    void streamsBeyondTheBoundAreRefusedWith503() throws Exception {
        start();
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < AdminServer.MAX_STREAMS; i++) {
                held.add(open("/v1/stream/-1"));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.openStreams() < AdminServer.MAX_STREAMS) {
                assertTrue(System.nanoTime() < deadline, "only " + server.openStreams() + " streams opened");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            try (Socket s = open("/v1/stream/1")) {
                String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
                assertEquals("HTTP/1.1 503 Service Unavailable", status);
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        awaitNoStream();
    }

    private void awaitNoStream() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.openStreams() != 0) {
            assertTrue(System.nanoTime() < deadline, server.openStreams() + " streams still open");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
