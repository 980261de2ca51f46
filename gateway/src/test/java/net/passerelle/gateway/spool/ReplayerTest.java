package net.passerelle.gateway.spool;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import net.passerelle.gateway.http.ForwardingHeaders;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static net.passerelle.gateway.spool.SpoolTestSupport.put;
import static net.passerelle.gateway.spool.SpoolTestSupport.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayerTest {
    @TempDir
    Path tmp;

    static final ForwardingHeaders FORWARDING = new ForwardingHeaders(List.of(), "passerelle");

    static StubBackend.Responder status(int code) {
        return (ctx, req) -> {
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code),
                    Unpooled.EMPTY_BUFFER);
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(r);
        };
    }

    @Test
    void replaysInOrderWithKeyOriginalClientAndStreamedBody() throws Exception {
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        new Random(1).nextBytes(big);
        try (Spool s = Spool.open(settings(tmp.resolve("spool")));
             Replayer r = new Replayer(s, FORWARDING);
             StubBackend backend = new StubBackend()) {
            List<String> refs = new ArrayList<>();
            refs.add(put(s, "g", "/picture.php?action=rate&image_id=3", "rate=5").referenceId());
            refs.add(put(s, "g", "POST", "/ws.php?method=pwg.images.addSimple", big, 65536, false).referenceId());
            refs.add(put(s, "g", "/comments.php", "content=hello").referenceId());
            Replayer.Report rep = r.replay("g", List.of(backend.address())).get(30, TimeUnit.SECONDS);
            assertEquals(3, rep.delivered());
            assertEquals(0, rep.waiting());
            List<StubBackend.Seen> seen = backend.all();
            assertEquals(refs, seen.stream().map(x -> x.header("Idempotency-Key")).toList());
            assertEquals(List.of("1", "1", "1"), seen.stream().map(x -> x.header("X-Passerelle-Replay")).toList(),
                    "a replay carries the marker that a client's live request never does");
            StubBackend.Seen first = seen.get(0);
            assertEquals("POST", first.method());
            assertEquals("/picture.php?action=rate&image_id=3", first.uri());
            assertEquals("rate=5", first.body());
            assertEquals("alice.gallery.example", first.header("Host"));
            assertEquals("203.0.113.7", first.header("X-Forwarded-For"), "the original client, not the forged header");
            assertTrue(first.header("Forwarded").contains("for=203.0.113.7"));
            assertEquals("1", first.header("X-Passerelle-Replay"));
            assertEquals("pwg_id=secret-session", first.header("Cookie"));
            StubBackend.Seen second = seen.get(1);
            assertEquals(big.length, second.bodyBytes());
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big)), second.bodySha256());
            assertEquals(String.valueOf(big.length), second.header("Content-Length"));
            assertNull(second.header("Transfer-Encoding"));
            SpoolSummary sum = s.summary("g");
            assertTrue(sum.entries().stream().allMatch(e -> e.status() == EntryStatus.DELIVERED && e.lastStatus() == 200));
            assertEquals(0, sum.bytes());
            try (var files = Files.list(tmp.resolve("spool/g"))) {
                assertFalse(files.anyMatch(p -> p.toString().endsWith(".req")), "delivered bodies are removed");
            }
        }
        try (Spool s = Spool.open(settings(tmp.resolve("spool")))) {
            assertEquals(3, s.summary("g").entries().size(), "outcomes survive a restart");
            assertEquals(EntryStatus.DELIVERED, s.summary("g").entries().get(1).status());
        }
    }

    @Test
    void fiveHundredsAreRetriedFourHundredsAreFinalAndTheQueueMovesOn() throws Exception {
        try (Spool s = Spool.open(settings(tmp.resolve("spool")));
             Replayer r = new Replayer(s, FORWARDING);
             StubBackend backend = new StubBackend()) {
            String a = put(s, "g", "/a", "1").referenceId();
            String b = put(s, "g", "/b", "2").referenceId();
            String c = put(s, "g", "/c", "3").referenceId();
            AtomicInteger n = new AtomicInteger();
            backend.respondWith((ctx, req) -> {
                int i = n.incrementAndGet();
                int code = req.uri().equals("/a") ? (i <= 2 ? 503 : 201) : req.uri().equals("/b") ? 403 : 200;
                status(code).respond(ctx, req);
            });
            Replayer.Report rep = r.replay("g", List.of(backend.address())).get(30, TimeUnit.SECONDS);
            assertEquals(2, rep.delivered());
            assertEquals(1, rep.failedFinal());
            List<String> keys = backend.all().stream().map(x -> x.header("Idempotency-Key")).toList();
            assertEquals(List.of(a, a, a, b, c), keys);
            SpoolSummary sum = s.summary("g");
            EntryView va = sum.entries().get(0);
            assertEquals(EntryStatus.DELIVERED, va.status());
            assertEquals(3, va.attempts());
            assertEquals(201, va.lastStatus());
            EntryView vb = sum.entries().get(1);
            assertEquals(EntryStatus.FAILED_FINAL, vb.status());
            assertEquals(403, vb.lastStatus());
            assertEquals("Forbidden", vb.lastReason());
            assertEquals(1, vb.attempts());
            assertEquals(EntryStatus.DELIVERED, sum.entries().get(2).status());
        }
    }

    @Test
    void connectionRefusedIsRetriedThenFailedFinalWithoutBlockingTheQueue() throws Exception {
        // Port 1 (tcpmux) is reserved and served by nothing here: a connection there is refused at once. (Binding a
        // port 0 and closing it would leave a window in which another process may take the port.)
        InetSocketAddress dead = new InetSocketAddress("127.0.0.1", 1);
        assertThrows(ConnectException.class, () -> new Socket(dead.getAddress(), dead.getPort()).close(),
                "the test needs nothing listening on 127.0.0.1:1");
        try (Spool s = Spool.open(settings(tmp.resolve("spool")));
             Replayer r = new Replayer(s, FORWARDING);
             StubBackend backend = new StubBackend()) {
            put(s, "g", "/a", "1");
            put(s, "g", "/b", "2");
            // first two attempts refused, then the backend is back (a cutover between attempts)
            AtomicInteger calls = new AtomicInteger();
            Replayer.Report rep = r.replay("g", () -> List.of(calls.incrementAndGet() <= 2 ? dead : backend.address()))
                    .get(30, TimeUnit.SECONDS);
            assertEquals(2, rep.delivered());
            EntryView va = s.summary("g").entries().get(0);
            assertEquals(3, va.attempts());
            // all refused: failed-final after maxAttempts (4 in these settings)
            put(s, "g", "/c", "3");
            rep = r.replay("g", List.of(dead)).get(30, TimeUnit.SECONDS);
            assertEquals(1, rep.failedFinal());
            EntryView vc = s.summary("g").entries().get(2);
            assertEquals(EntryStatus.FAILED_FINAL, vc.status());
            assertEquals(4, vc.attempts());
            assertTrue(vc.lastReason().contains("gave up after 4 attempts"), vc.lastReason());
            // ops put it back; it goes through
            s.requeue("g", vc.referenceId(), "ops");
            assertEquals(1, r.replay("g", List.of(backend.address())).get(30, TimeUnit.SECONDS).delivered());
        }
    }

    /**
     * A replay asked for the moment the previous one ends (by code waiting on it) is a run of its own. The previous run
     * used to complete its future before leaving the map of runs in progress, so such a caller was handed the finished
     * run back and nothing was replayed. A stage chained on the future runs right where the future completes, which
     * makes that moment exact here.
     */
    @Test
    void aReplayAskedForAsThePreviousOneEndsIsARunOfItsOwn() throws Exception {
        try (Spool s = Spool.open(settings(tmp.resolve("spool")));
             Replayer r = new Replayer(s, FORWARDING);
             StubBackend backend = new StubBackend()) {
            put(s, "g", "/a", "1");
            java.util.concurrent.CompletableFuture<Replayer.Report> first = r.replay("g", List.of(backend.address()));
            java.util.concurrent.CompletableFuture<java.util.concurrent.CompletableFuture<Replayer.Report>> next =
                    first.thenApply(done -> {
                        try {
                            put(s, "g", "/b", "2");
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        return r.replay("g", List.of(backend.address()));
                    });
            java.util.concurrent.CompletableFuture<Replayer.Report> second = next.get(30, TimeUnit.SECONDS);
            assertFalse(first == second, "handed the finished run back");
            assertEquals(1, second.get(30, TimeUnit.SECONDS).delivered());
            assertEquals(2, backend.all().size());
        }
    }

    /**
     * SPEC: a crash replays none twice. An entry whose attempt had started when the gateway died may have reached the
     * backend: it is held (failed-final, in doubt) rather than sent again, and the rest of the queue goes on; ops
     * requeue it once they know the backend does not have it, and it goes out with its own key.
     */
    @Test
    void anEntryReplayingWhenTheGatewayDiedIsHeldInDoubtNotSentAgain() throws Exception {
        String a;
        String b;
        try (Spool s = Spool.open(settings(tmp.resolve("spool")))) {
            a = put(s, "g", "/a", "1").referenceId();
            b = put(s, "g", "/b", "2").referenceId();
            // what a replayer does before sending; then the process "dies"
            GroupSpool g = s.group("g");
            s.markReplaying(g, s.nextToReplay(g), 1);
        }
        try (Spool s = Spool.open(settings(tmp.resolve("spool")));
             Replayer r = new Replayer(s, FORWARDING);
             StubBackend backend = new StubBackend()) {
            EntryView held = s.summary("g").entries().get(0);
            assertEquals(EntryStatus.FAILED_FINAL, held.status());
            assertTrue(held.lastReason().startsWith("in doubt"), held.lastReason());
            assertEquals(1, s.summary("g").waiting());
            r.replay("g", List.of(backend.address())).get(30, TimeUnit.SECONDS);
            assertEquals(List.of(b), backend.all().stream().map(x -> x.header("Idempotency-Key")).toList(),
                    "the entry in doubt is not sent again; the rest of the queue is");

            s.requeue("g", a, "ops");
            r.replay("g", List.of(backend.address())).get(30, TimeUnit.SECONDS);
            assertEquals(List.of(b, a), backend.all().stream().map(x -> x.header("Idempotency-Key")).toList());
        }
    }

    @Test
    void anEntryInDoubtStaysHeldAcrossRestartsUntilOpsAct() throws Exception {
        try (Spool s = Spool.open(settings(tmp.resolve("spool")))) {
            put(s, "g", "/a", "1");
            GroupSpool g = s.group("g");
            s.markReplaying(g, s.nextToReplay(g), 1);
        }
        for (int restart = 0; restart < 2; restart++) {
            try (Spool s = Spool.open(settings(tmp.resolve("spool")))) {
                assertEquals(EntryStatus.FAILED_FINAL, s.summary("g").entries().get(0).status(), "restart " + restart);
                assertEquals(0, s.summary("g").waiting());
            }
        }
    }

    @Test
    void aTornJournalLineRevertsToThePreviousStatus() throws Exception {
        String a;
        try (Spool s = Spool.open(settings(tmp.resolve("spool")))) {
            a = put(s, "g", "/a", "1").referenceId();
            GroupSpool g = s.group("g");
            s.markReplaying(g, s.nextToReplay(g), 1);
        }
        Path journal = tmp.resolve("spool/g/journal");
        Files.writeString(journal, "0badf00d {\"seq\":0,\"ref\":\"" + a + "\",\"status\":\"deliv", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        // the torn "delivered" line is ignored: the entry was replaying, so it is held in doubt
        try (Spool s = Spool.open(settings(tmp.resolve("spool")))) {
            assertEquals(EntryStatus.FAILED_FINAL, s.summary("g").entries().get(0).status());
            assertTrue(s.summary("g").entries().get(0).lastReason().startsWith("in doubt"));
        }
        try (Spool s = Spool.open(settings(tmp.resolve("spool")))) {
            assertEquals(EntryStatus.FAILED_FINAL, s.summary("g").entries().get(0).status(), "the torn tail was compacted away");
        }
    }
}
