package net.passerelle.gateway;

import net.passerelle.gateway.config.ConfigLoader;
import net.passerelle.gateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --check} runs every check start-up runs: each configuration that start-up refuses, {@code --check} refuses
 * with the same message (naming the keys), and start-up refuses before it binds or opens anything.
 */
class StartupChecksTest {
    private static final ConfigLoader NO_ENV = new ConfigLoader(Map.<String, String>of()::get);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            admin beyond loopback, no token  | 'admin: {listen: "0.0.0.0:0"}'                                     | not a loopback address
            lease longer than the confirm    | 'store: {lease: 5s}\\nadmin: {confirmTimeout: 5s}'                  | admin.confirmTimeout
            lease of too few heartbeats      | 'store: {lease: 1s, pollInterval: 500ms}'                           | store.lease
            a bad seeded group name          | 'seed: {groups: {Bad_Name: {backends: []}}}'                        | Bad_Name
            an unknown default profile       | 'classification: {defaultProfile: nope}'                            | classification.defaultProfile
            one token under two names        | 'admin: {tokens: {alice: same-token-1, bob: same-token-1}}'         | two names
            a bad token name                 | 'admin: {tokens: {"al ice": t0k3n-1234}}'                            | al ice
            admin named twice                | 'admin: {token: t0k3n-1234, tokens: {admin: other-12345}}'          | admin.tokens.admin
            """)
    void whatStartUpRefusesCheckRefuses(String name, String yaml, String what, @TempDir Path dir) throws Exception {
        GatewayConfig config = NO_ENV.parse(yaml.replace("\\n", "\n"), "c.yml");
        List<String> problems = StartupChecks.problems(config, Map.<String, String>of()::get);
        assertTrue(problems.stream().anyMatch(p -> p.contains(what.trim())), name + ": " + problems);

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Passerelle.start(config));
        assertTrue(refused.getMessage().contains(what.trim()), refused.getMessage());

        Path file = dir.resolve("c.yml");
        Files.writeString(file, yaml.replace("\\n", "\n"));
        Run run = check(file);
        assertEquals(2, run.code(), name + ": " + run.err());
        assertTrue(run.err().contains(what.trim()), run.err());
    }

    @Test
    void theDocumentedExampleAndTheDefaultsPassTheCheck() {
        assertEquals(List.of(), StartupChecks.problems(GatewayConfig.defaults(), Map.<String, String>of()::get));
        Path example = Path.of("..", "deploy", "passerelle.example.yml");
        Run run = check(example);
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("configuration OK"), run.out());
    }

    @Test
    void aConfiguredTokenAllowsANonLoopbackAdminListener() {
        GatewayConfig config = NO_ENV.parse("admin: {listen: \"0.0.0.0:0\", tokens: {deploy-bot: s3cret-t0k3n}}", "c.yml");
        assertEquals(List.of(), StartupChecks.problems(config, Map.<String, String>of()::get));
        GatewayConfig fromEnv = NO_ENV.parse("admin: {listen: \"0.0.0.0:0\"}", "c.yml");
        assertEquals(List.of(), StartupChecks.problems(fromEnv, Map.of("PASSERELLE_ADMIN_TOKEN", "from-the-env")::get));
    }

    record Run(int code, String out, String err) {
    }

    private static Run check(Path file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new Main()).execute("--config", file.toString(), "--check");
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
