package net.passerelle.gateway.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Logback configures itself once per JVM, so what it loads and which file wins is seen in a JVM of its own, started
 * with only the gateway's classes and Logback: the test class path holds admin-api's {@code logback-test.xml}.
 * To see it fail on an older build: {@code -Dpasserelle.test.gatewayJar=that/passerelle.jar}.
 */
class LoggingInItsOwnJvmTest {
    /** Joran's configuration machinery and the JDK's XML parser; two classes of {@code core.joran.spi} load anyway. */
    private static final Pattern XML_CONFIGURATION = Pattern.compile("ch\\.qos\\.logback\\.classic\\.joran\\..*"
            + "|ch\\.qos\\.logback\\.(core|classic)\\.model\\..*|ch\\.qos\\.logback\\.core\\.joran\\.(action|event)\\..*"
            + "|ch\\.qos\\.logback\\.classic\\.util\\.DefaultJoranConfigurator"
            + "|javax\\.xml\\..*|jdk\\.xml\\..*|com\\.sun\\.org\\.apache\\.xerces\\..*");
    private static final Pattern LOADED = Pattern.compile("\\] (\\S+) source:");

    /** Logs one line the gateway's way and one that its configuration hides. */
    public static final class Probe {
        public static void main(String[] args) {
            LoggerFactory.getLogger("net.passerelle.gateway.server.GatewayServer").info("listening on {}", "/127.0.0.1:8080");
            LoggerFactory.getLogger("io.netty.channel.DefaultChannelPipeline").info("hidden: io.netty logs from WARN");
        }
    }

    @Test
    void logsTheGatewaysLinesWithoutReadingXml(@TempDir Path dir) throws Exception {
        Path classes = dir.resolve("classes.txt");
        String out = probe(dir, "-Xlog:class+load=info:file=" + classes);
        assertTrue(Pattern.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d(\\d\\d)?) INFO  \\[main] "
                + "n\\.p\\.g\\.s\\.GatewayServer - listening on /127\\.0\\.0\\.1:8080\\R", out), out);
        List<String> xml;
        try (Stream<String> lines = Files.lines(classes)) {
            xml = lines.map(LOADED::matcher).filter(Matcher::find).map(m -> m.group(1))
                    .filter(c -> XML_CONFIGURATION.matcher(c).matches()).collect(Collectors.toList());
        }
        assertTrue(xml.isEmpty(), xml.size() + " classes loaded to read an XML configuration (a logback.xml or "
                + "logback-test.xml on the class path? a stale target/classes/logback.xml is one: mvn clean), such as "
                + xml.subList(0, Math.min(8, xml.size())));
    }

    @Test
    void aFileNamedByTheSystemPropertyIsReadInstead(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("ops-logback.xml"), """
                <configuration>
                  <appender name="OPS" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>OPS %level %logger - %msg%n</pattern></encoder>
                  </appender>
                  <root level="DEBUG"><appender-ref ref="OPS"/></root>
                </configuration>
                """);
        String out = probe(dir, "-Dlogback.configurationFile=" + file);
        assertEquals("""
                OPS INFO net.passerelle.gateway.server.GatewayServer - listening on /127.0.0.1:8080
                OPS INFO io.netty.channel.DefaultChannelPipeline - hidden: io.netty logs from WARN
                """, out.replace(System.lineSeparator(), "\n"));
    }

    /** Runs {@link Probe} and returns its standard output, after checking it ended well. */
    private static String probe(Path dir, String jvmOption) throws IOException, InterruptedException, URISyntaxException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), jvmOption,
                "-cp", classPath(), Probe.class.getName());
        Path stdout = dir.resolve("stdout.txt");
        Path stderr = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        String err = Files.readString(stderr, StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "probe failed: " + err);
        assertEquals("", err);
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    private static String classPath() throws URISyntaxException {
        List<String> entries = new ArrayList<>();
        String jar = System.getProperty("passerelle.test.gatewayJar");
        if (jar != null) {
            entries.add(jar);
        } else {
            for (Class<?> c : List.of(GatewayLogConfigurator.class, LoggerContext.class, ContextAwareBase.class, LoggerFactory.class)) {
                entries.add(location(c));
            }
        }
        entries.add(location(Probe.class));
        return String.join(File.pathSeparator, entries);
    }

    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
