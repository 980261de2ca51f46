package net.passerelle.gateway.e2e;

import net.passerelle.gateway.testing.Await;
import net.passerelle.gateway.testing.StubBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A gateway started under nohup inherits SIGHUP ignored, and the JVM installs no handler for an ignored SIGHUP,
 * without an error: {@code kill -HUP} then reloads nothing and the log says nothing (found on the walkthrough, by a
 * newcomer who started the README's command with nohup). The gateway must say so when it starts.
 */
class SighupUnderNohupProcessTest {
    @TempDir
    Path dir;

    @Test
    void aGatewayThatInheritsSighupIgnoredSaysItCannotReloadOnIt() throws Exception {
        // nohup's own doing, without its output redirection: the shell ignores SIGHUP, then becomes the JVM
        List<String> nohup = List.of("sh", "-c", "trap '' HUP; exec \"$0\" \"$@\"");
        try (StubBackend backend = new StubBackend();
             GatewayProcess gateway = GatewayProcess.start(dir, """
                     listeners: ["127.0.0.1:0"]
                     admin: {enabled: false}
                     seed:
                       groups:
                         srv-12: {backends: ["%s"]}
                       hosts:
                         alice.gallery.example: {group: srv-12, account: alice}
                     """.formatted(backend.hostPort()), List.of("-Xmx128m"), Map.of(), nohup)) {
            String warning = "SIGHUP is ignored by this process (started under nohup?)";
            Await.until("word of the ignored SIGHUP", Duration.ofSeconds(30), () -> gateway.output().contains(warning),
                    () -> "\n" + gateway.output());
            assertFalse(gateway.output().contains("cannot be handled here"), gateway.output());
        }
    }
}
