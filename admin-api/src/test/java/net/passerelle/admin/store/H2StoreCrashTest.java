package net.passerelle.admin.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An admin change the embedded store has confirmed survives the gateway being killed the moment after. A child JVM
 * registers hosts and prints each once the store returned ({@link StoreStorm}); it is killed with SIGKILL right after
 * an acknowledgement, and every acknowledged host must be in the file when it is opened again. H2's default write
 * delay (half a second) lost the last few hundred.
 */
class H2StoreCrashTest {
    @TempDir
    Path dir;

    @Test
    void killMinusNineRightAfterAnAcknowledgementLosesNoChange() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("passerelle");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                StoreStorm.class.getName(), url);
        pb.redirectError(dir.resolve("storm.err").toFile());
        Process p = pb.start();
        List<String> acked = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            for (String line; acked.size() < 50 && (line = in.readLine()) != null; ) {
                if (line.startsWith("ACK ")) { // the rest is the child's log
                    acked.add(line.substring("ACK ".length()));
                }
            }
            p.destroyForcibly(); // SIGKILL, with the 50th acknowledgement just read (destroying closes the pipe)
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        }
        assertTrue(acked.size() >= 50, "the child acknowledged too little: see " + dir.resolve("storm.err"));

        try (JdbcStore store = new JdbcStore(url, "", "")) {
            Set<String> stored = new HashSet<>();
            store.hosts("g").forEach(h -> stored.add(h.host()));
            List<String> lost = acked.stream().filter(h -> !stored.contains(h)).toList();
            assertEquals(List.of(), lost, "acknowledged, then lost to the crash");
        }
    }
}
