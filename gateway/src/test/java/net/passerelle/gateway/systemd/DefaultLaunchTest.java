package net.passerelle.gateway.systemd;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default launch, {@code deploy/jvm.options}: a JVM refuses to start on an option it does not know, and a
 * gateway that does not start is an outage, so the file is run through this JVM as the unit and the README run it.
 */
class DefaultLaunchTest {
    private static final Path OPTIONS = Path.of("../deploy/jvm.options").toAbsolutePath().normalize();

    @Test
    void theJvmStartsWithTheShippedOptionsAndTheyAreTheOnesMeasured() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "@" + OPTIONS, "-XX:+PrintFlagsFinal", "-version")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "java -version did not finish");
        assertEquals(0, p.exitValue(), out);
        // what the JVM says of its options (an initial heap smaller than the young generation, say) is the first
        // thing an operator reads at every start
        assertTrue(out.lines().noneMatch(l -> l.contains("warning")), out);
        assertTrue(flag(out, "UseSerialGC").endsWith("true"), out);
        assertTrue(flag(out, "ExitOnOutOfMemoryError").endsWith("true"), out);
        assertEquals(1L << 30, Long.parseLong(flag(out, "MaxHeapSize").split("\\s+")[3]));
    }

    @Test
    void theUnitAndTheReadmeLaunchThroughTheOptionsFile() throws IOException {
        String unit = Files.readString(Path.of("../deploy/systemd/passerelle.service"));
        assertTrue(unit.contains("ExecStart=/usr/bin/java @/etc/passerelle/jvm.options -jar"), unit);
        String readme = Files.readString(Path.of("../README.md"));
        assertTrue(readme.contains("java @deploy/jvm.options -jar gateway/target/passerelle.jar"), "README's command");
    }

    /** The line of {@code -XX:+PrintFlagsFinal} for one flag, trimmed of its origin column. */
    private static String flag(String out, String name) {
        List<String> lines = out.lines().filter(l -> l.matches("\\s*\\S+\\s+" + name + "\\s.*")).toList();
        assertEquals(1, lines.size(), name + " in " + out);
        return lines.get(0).replaceAll("\\s*\\{.*$", "").trim();
    }
}
