package net.passerelle.gateway.spool;

import net.passerelle.gateway.http.ForwardingHeaders;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * THE crash test. A child JVM spools a storm of writes from several threads and prints each reference id only after
 * its commit completed; it is killed with SIGKILL at random moments and restarted, several times. Then the spool is
 * opened and replayed to a recording backend. With A = acknowledged (printed, complete line), C = committed on disk
 * at the final open (waiting entries), D = keys the backend received:
 * <ul>
 *   <li>nothing was set aside (SIGKILL never tears an acknowledged or renamed file);</li>
 *   <li>A ⊆ C, and D = C (so A ⊆ D and D ⊆ C): an entry committed but killed before it was printed may arrive, since
 *       it is durable; a write that never committed (temp file) never arrives;</li>
 *   <li>no key arrives twice, and D arrives in arrival (sequence) order;</li>
 *   <li>every acknowledged body arrives byte for byte (SHA-256).</li>
 * </ul>
 */
class SpoolCrashTest {
    @TempDir
    Path tmp;

    @Test
    void killMinusNineLosesNoAcknowledgedWriteAndReplaysNoneTwice() throws Exception {
        Path dir = tmp.resolve("spool");
        Map<String, String> acked = new LinkedHashMap<>();
        Random random = new Random();
        int rounds = 5;
        for (int round = 0; round < rounds; round++) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    SpoolStorm.class.getName(), dir.toString(), "4");
            pb.redirectError(tmp.resolve("storm-" + round + ".err").toFile());
            Process p = pb.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try (InputStream in = p.getInputStream()) {
                    in.transferTo(out);
                } catch (Exception ignored) {
                    // killed
                }
            });
            reader.start();
            // wait until the storm is running, then kill at a random moment
            long deadline = System.currentTimeMillis() + 15_000;
            while (System.currentTimeMillis() < deadline && count(out) < 5) {
                Thread.sleep(20);
            }
            Thread.sleep(200 + random.nextInt(1500));
            p.destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            reader.join(10_000);
            String text = out.toString(StandardCharsets.US_ASCII);
            int end = text.lastIndexOf('\n'); // a line without its newline was not fully acknowledged
            int n = 0;
            for (String line : text.substring(0, end + 1).split("\n")) {
                if (line.startsWith("ACK ")) {
                    String[] f = line.split(" ");
                    acked.put(f[1], f[2]);
                    n++;
                }
            }
            System.out.println("crash round " + round + ": " + n + " acknowledged before SIGKILL");
            assertTrue(n > 0, "the storm acknowledged nothing: see " + tmp.resolve("storm-" + round + ".err"));
        }

        try (Spool s = Spool.open(SpoolTestSupport.settings(dir));
             Replayer r = new Replayer(s, new ForwardingHeaders(List.of(), "passerelle"));
             StubBackend backend = new StubBackend()) {
            SpoolSummary sum = s.summary("storm");
            assertEquals(0, sum.setAside(), "a SIGKILL must never leave a renamed entry torn");
            List<String> committed = sum.entries().stream().filter(e -> e.status().awaitsReplay())
                    .map(EntryView::referenceId).toList();
            Set<String> committedSet = new HashSet<>(committed);
            List<String> missing = new ArrayList<>();
            for (String ref : acked.keySet()) {
                if (!committedSet.contains(ref)) {
                    missing.add(ref);
                }
            }
            assertEquals(List.of(), missing, "acknowledged but not on disk");

            Replayer.Report rep = r.replay("storm", List.of(backend.address())).get(120, TimeUnit.SECONDS);
            List<StubBackend.Seen> seen = backend.all();
            List<String> delivered = seen.stream().map(x -> x.header("Idempotency-Key")).toList();
            assertEquals(delivered.size(), new HashSet<>(delivered).size(), "a key arrived twice");
            assertEquals(committed, delivered, "delivered = committed, in arrival order");
            for (StubBackend.Seen x : seen) {
                String sha = acked.get(x.header("Idempotency-Key"));
                if (sha != null) {
                    assertEquals(sha, x.bodySha256(), "body of " + x.header("Idempotency-Key"));
                }
            }
            assertEquals(committed.size(), rep.delivered());
            System.out.printf("crash test: %d acknowledged, %d committed, %d delivered once each, in order%n",
                    acked.size(), committed.size(), delivered.size());
        }
    }

    private static int count(ByteArrayOutputStream out) {
        synchronized (out) {
            String s = out.toString(StandardCharsets.US_ASCII);
            int n = 0;
            for (int i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) {
                n++;
            }
            return n;
        }
    }
}
