package net.passerelle.gateway.spool;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static net.passerelle.gateway.spool.SpoolTestSupport.CLIENT;
import static net.passerelle.gateway.spool.SpoolTestSupport.put;
import static net.passerelle.gateway.spool.SpoolTestSupport.request;
import static net.passerelle.gateway.spool.SpoolTestSupport.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpoolTest {
    @TempDir
    Path tmp;

    private Path root() {
        return tmp.resolve("spool");
    }

    private static List<Path> entryFiles(Path groupDir) throws IOException {
        try (Stream<Path> s = Files.list(groupDir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".req")).sorted().toList();
        }
    }

    @Test
    void roundTripKeepsTheRequestAndHidesSecretsFromTheSummary() throws Exception {
        byte[] body = "method=pwg.images.addComment&content=h\u00e9llo&password=hunter2".getBytes(StandardCharsets.ISO_8859_1);
        SpoolEntry e;
        try (Spool s = Spool.open(settings(root()))) {
            e = put(s, "srv-12", "POST", "/ws.php?format=json&pwg_token=abcd", body, 5, false);
            assertEquals("srv-12", e.group());
            assertEquals("/ws.php", e.path());
            assertEquals(body.length, e.bodyBytes());
        }
        try (Spool s = Spool.open(settings(root()))) {
            SpoolSummary sum = s.summary("srv-12");
            assertEquals(1, sum.waiting());
            EntryView v = sum.entries().get(0);
            assertEquals(e.referenceId(), v.referenceId());
            assertEquals("POST", v.method());
            assertEquals("/ws.php", v.path());
            assertEquals(EntryStatus.PENDING, v.status());
            assertFalse(sum.toString().contains("secret"), sum.toString());
            assertFalse(sum.toString().contains("pwg_token"), sum.toString());
            assertFalse(sum.toString().contains("hunter2"), sum.toString());
            Tracked t = s.nextToReplay(s.group("srv-12"));
            EntryFormat.Stored st = s.read(s.group("srv-12"), t);
            assertEquals("/ws.php?format=json&pwg_token=abcd", st.head().uri());
            assertEquals("pwg_id=secret-session", st.head().headers().get(HttpHeaderNames.COOKIE));
            assertEquals("chunked", st.head().headers().get(HttpHeaderNames.TRANSFER_ENCODING));
            assertEquals(CLIENT, st.head().client());
            assertEquals(e.arrival(), st.head().arrival());
            byte[] read = new byte[(int) st.bodyLength()];
            try (var ch = java.nio.channels.FileChannel.open(t.file)) {
                ch.read(java.nio.ByteBuffer.wrap(read), st.bodyOffset());
            }
            assertTrue(Arrays.equals(body, read));
        }
    }

    @Test
    void directoriesAre0700AndFiles0600() throws Exception {
        try (Spool s = Spool.open(settings(root()))) {
            put(s, "g1", "/a", "x=1");
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root().resolve("g1"))));
        for (Path p : entryFiles(root().resolve("g1"))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        }
        // a directory left world-readable is tightened at open
        Files.setPosixFilePermissions(root().resolve("g1"), PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Spool s = Spool.open(settings(root()))) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root().resolve("g1"))));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root().resolve("g1/journal"))));
        }
    }

    @Test
    void entriesKeepArrivalOrderAcrossRestartsEvenWhenCommittedOutOfOrder() throws Exception {
        List<String> expected = new ArrayList<>();
        try (Spool s = Spool.open(settings(root()))) {
            SpoolWriter first = s.begin("g", request("POST", "/first", 3), CLIENT, 0);
            SpoolWriter second = s.begin("g", request("POST", "/second", 3), CLIENT, 0);
            expected.add(first.referenceId());
            expected.add(second.referenceId());
            second.write(Unpooled.copiedBuffer("bbb", StandardCharsets.US_ASCII)).get();
            second.commit().get();
            first.write(Unpooled.copiedBuffer("aaa", StandardCharsets.US_ASCII)).get();
            first.commit().get();
        }
        for (int round = 0; round < 2; round++) {
            try (Spool s = Spool.open(settings(root()))) {
                expected.add(put(s, "g", "/r" + round, "x").referenceId());
            }
        }
        try (Spool s = Spool.open(settings(root()))) {
            List<String> refs = s.summary("g").entries().stream().map(EntryView::referenceId).toList();
            assertEquals(expected, refs);
            List<String> sorted = new ArrayList<>(refs);
            sorted.sort(null);
            assertEquals(refs, sorted, "reference ids sort in arrival order");
        }
    }

    @Test
    void tempFilesAreDeletedAtOpenAndAbortLeavesNothing() throws Exception {
        try (Spool s = Spool.open(settings(root()))) {
            SpoolWriter w = s.begin("g", request("POST", "/x", 10), CLIENT, 0);
            w.write(Unpooled.copiedBuffer("12345", StandardCharsets.US_ASCII)).get();
            w.abort();
            assertThrows(ExecutionException.class, () -> w.commit().get());
            // a write after abort is released and fails
            CompletableFuture<Void> late = w.write(Unpooled.copiedBuffer("67890", StandardCharsets.US_ASCII));
            assertThrows(ExecutionException.class, late::get);
            SpoolWriter crashed = s.begin("g", request("POST", "/y", 10), CLIENT, 0);
            crashed.write(Unpooled.copiedBuffer("12345", StandardCharsets.US_ASCII)).get();
            // "crash": close without commit leaves its temp file
        }
        try (Stream<Path> files = Files.list(root().resolve("g"))) {
            assertTrue(files.anyMatch(p -> p.toString().endsWith(".tmp")));
        }
        try (Spool s = Spool.open(settings(root()))) {
            assertEquals(0, s.summary("g").entries().size());
            try (Stream<Path> files = Files.list(root().resolve("g"))) {
                assertFalse(files.anyMatch(p -> p.toString().endsWith(".tmp")));
            }
        }
    }

    @Test
    void aFileTornAtEveryOffsetIsSetAsideNeverReplayed() throws Exception {
        Path good = tmp.resolve("good");
        try (Spool s = Spool.open(settings(good))) {
            put(s, "g", "/picture.php?action=rate", "rate=5");
        }
        Path entry = entryFiles(good.resolve("g")).get(0);
        byte[] bytes = Files.readAllBytes(entry);
        for (int cut = 0; cut < bytes.length; cut++) {
            Path dir = tmp.resolve("torn-" + cut);
            Files.createDirectories(dir.resolve("g"));
            Files.write(dir.resolve("g").resolve(entry.getFileName()), Arrays.copyOf(bytes, cut));
            try (Spool s = Spool.open(settings(dir))) {
                SpoolSummary sum = s.summary("g");
                assertEquals(0, sum.waiting(), "cut at " + cut);
                assertEquals(1, sum.setAside(), "cut at " + cut);
                assertNull(s.nextToReplay(s.group("g")));
                assertTrue(Files.exists(dir.resolve("g/set-aside").resolve(entry.getFileName())));
            }
            try (Spool s = Spool.open(settings(dir))) {
                assertEquals(1, s.summary("g").setAside(), "still reported after a second start, cut at " + cut);
            }
        }
    }

    @Test
    void anyFlippedByteIsDetectedAndSetAside() throws Exception {
        Path good = tmp.resolve("good");
        try (Spool s = Spool.open(settings(good))) {
            put(s, "g", "/comments.php", "c=hi");
        }
        Path entry = entryFiles(good.resolve("g")).get(0);
        byte[] bytes = Files.readAllBytes(entry);
        Path dir = tmp.resolve("flip");
        Files.createDirectories(dir.resolve("g"));
        for (int i = 0; i < bytes.length; i++) {
            byte[] bad = bytes.clone();
            bad[i] ^= 0x10;
            Path f = dir.resolve("g").resolve(entry.getFileName());
            Files.write(f, bad);
            assertThrows(IOException.class, () -> EntryFormat.verify(f), "byte " + i);
        }
        Files.write(dir.resolve("g").resolve(entry.getFileName()), bytes);
        EntryFormat.verify(dir.resolve("g").resolve(entry.getFileName()));
        // a newer format version is set aside, not read as version 1
        byte[] v2 = bytes.clone();
        v2[5] = 2;
        Files.write(dir.resolve("g").resolve(entry.getFileName()), v2);
        try (Spool s = Spool.open(settings(dir))) {
            EntryView v = s.summary("g").entries().get(0);
            assertEquals(EntryStatus.SET_ASIDE, v.status());
            assertTrue(v.lastReason().contains("version 2"), v.lastReason());
        }
    }

    @Test
    void quotaRefusesAtBeginForAKnownLengthAndMidStreamForChunked() throws Exception {
        try (Spool s = Spool.open(settings(root()).withQuotas(4096, 256L << 20, 0))) {
            SpoolException e = assertThrows(SpoolException.class,
                    () -> s.begin("g", request("POST", "/up", 10_000), CLIENT, 0));
            assertEquals(SpoolException.Reason.GROUP_QUOTA, e.reason());
            // per-group override from the caller
            e = assertThrows(SpoolException.class, () -> s.begin("g", request("POST", "/up", 5), CLIENT, 10));
            assertEquals(SpoolException.Reason.GROUP_QUOTA, e.reason());

            SpoolWriter w = s.begin("g", request("POST", "/up", -1), CLIENT, 0);
            CompletableFuture<Void> last = null;
            for (int i = 0; i < 10; i++) {
                last = w.write(Unpooled.wrappedBuffer(new byte[1000]));
                try {
                    last.get();
                } catch (ExecutionException ex) {
                    assertInstanceOf(SpoolException.class, ex.getCause());
                    assertEquals(SpoolException.Reason.GROUP_QUOTA, ((SpoolException) ex.getCause()).reason());
                    break;
                }
            }
            assertTrue(last.isCompletedExceptionally());
            assertThrows(ExecutionException.class, () -> w.commit().get());
            assertEquals(0, s.summary("g").entries().size());
            // the reservation was given back: a small write still fits
            put(s, "g", "/small", "ok");
            assertEquals(1, s.summary("g").waiting());
        }
        try (Stream<Path> files = Files.list(root().resolve("g"))) {
            assertEquals(1, files.filter(p -> p.toString().endsWith(".req")).count());
        }
    }

    @Test
    void entryLimitAndFreeSpaceFloorRefuse() throws Exception {
        try (Spool s = Spool.open(settings(root()).withQuotas(1L << 30, 2048, 0))) {
            SpoolException e = assertThrows(SpoolException.class,
                    () -> s.begin("g", request("POST", "/big", 5000), CLIENT, 0));
            assertEquals(SpoolException.Reason.ENTRY_TOO_LARGE, e.reason());
        }
        try (Spool s = Spool.open(settings(root()).withQuotas(1L << 30, 2048, 0))) {
            SpoolWriter w = s.begin("g", request("POST", "/big", -1), CLIENT, 0);
            ExecutionException ex = assertThrows(ExecutionException.class,
                    () -> w.write(Unpooled.wrappedBuffer(new byte[5000])).get());
            assertEquals(SpoolException.Reason.ENTRY_TOO_LARGE, ((SpoolException) ex.getCause()).reason());
        }
        try (Spool s = Spool.open(settings(root()).withQuotas(1L << 30, 256L << 20, Long.MAX_VALUE / 2))) {
            SpoolException e = assertThrows(SpoolException.class, () -> s.begin("g", request("POST", "/x", 1), CLIENT, 0));
            assertEquals(SpoolException.Reason.DISK_FULL, e.reason());
        }
    }

    @Test
    void diskErrorsNeverLeaveACommittedEntry() throws Exception {
        try (Spool s = Spool.open(settings(root()))) {
            put(s, "g", "/before", "x");
            // injected EIO on the third write
            int[] calls = {0};
            s.fault = (file, position) -> {
                if (++calls[0] == 3) {
                    throw new IOException("Input/output error (injected)");
                }
            };
            SpoolWriter w = s.begin("g", request("POST", "/x", -1), CLIENT, 0);
            w.write(Unpooled.wrappedBuffer(new byte[10])).get();
            ExecutionException ex = assertThrows(ExecutionException.class,
                    () -> w.write(Unpooled.wrappedBuffer(new byte[10])).get());
            assertEquals(SpoolException.Reason.IO, ((SpoolException) ex.getCause()).reason());
            assertThrows(ExecutionException.class, () -> w.write(Unpooled.wrappedBuffer(new byte[10])).get());
            assertThrows(ExecutionException.class, () -> w.commit().get());
            s.fault = null;
            // a real error: the group's directory replaced by a file
            try (Spool s2 = Spool.open(settings(tmp.resolve("other")))) {
                Files.writeString(tmp.resolve("other/h"), "not a directory");
                ExecutionException ex2 = assertThrows(ExecutionException.class,
                        () -> put(s2, "h", "/x", "body"));
                assertEquals(SpoolException.Reason.IO, ((SpoolException) ex2.getCause()).reason());
                assertEquals(0, s2.summary("h").entries().size());
            }
            assertEquals(1, s.summary("g").entries().size());
        }
        try (Spool s = Spool.open(settings(root()))) {
            assertEquals(1, s.summary("g").entries().size());
            assertEquals(1, entryFiles(root().resolve("g")).size());
        }
    }

    @Test
    void backpressureBoundsWhatAWriterHolds() throws Exception {
        try (Spool s = Spool.open(settings(root()))) {
            java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
            s.fault = (f, p) -> {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            };
            SpoolWriter w = s.begin("g", request("POST", "/x", -1), CLIENT, 0);
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            while (w.pendingBytes() < w.bufferLimit()) {
                fs.add(w.write(Unpooled.directBuffer(65536).writeZero(65536)));
            }
            CompletableFuture<Void> over = w.write(Unpooled.directBuffer(65536).writeZero(65536));
            assertTrue(over.isCompletedExceptionally());
            gate.countDown();
            s.fault = null;
            for (CompletableFuture<Void> f : fs) {
                try {
                    f.get(5, TimeUnit.SECONDS);
                } catch (ExecutionException expected) {
                    // the writer failed: every buffer is still released
                }
            }
            assertThrows(ExecutionException.class, () -> w.commit().get());
        }
    }

    @Test
    void discardAndRequeueAreJournaled() throws Exception {
        String a;
        String b;
        try (Spool s = Spool.open(settings(root()))) {
            a = put(s, "g", "/a", "1").referenceId();
            b = put(s, "g", "/b", "2").referenceId();
            GroupSpool g = s.group("g");
            Tracked tb = g.byRef.get(b);
            s.markReplaying(g, tb, 1);
            s.markOutcome(g, tb, EntryStatus.FAILED_FINAL, 403, "Forbidden");
            assertTrue(s.discard("g", a, "ops@example").isPresent());
            assertTrue(s.discard("g", "nope", "ops").isEmpty());
            assertThrows(IllegalStateException.class, () -> s.discard("g", a, "ops"));
        }
        try (Spool s = Spool.open(settings(root()))) {
            SpoolSummary sum = s.summary("g");
            assertEquals(EntryStatus.DISCARDED, sum.entries().get(0).status());
            assertEquals(EntryStatus.FAILED_FINAL, sum.entries().get(1).status());
            assertEquals(403, sum.entries().get(1).lastStatus());
            assertEquals(1, sum.failedFinal());
            assertEquals(1, entryFiles(root().resolve("g")).size());
            s.requeue("g", b, "ops");
            assertEquals(1, s.summary("g").waiting());
        }
    }

    @Test
    void aSecondSpoolOnTheSameDirectoryIsRefused() throws Exception {
        try (Spool s = Spool.open(settings(root()))) {
            // same JVM: FileChannel.tryLock throws OverlappingFileLockException; another process gets null
            assertThrows(Exception.class, () -> Spool.open(settings(root())).close());
        }
    }
}
