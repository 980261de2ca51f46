package net.passerelle.gateway.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Debian's {@code pebble} ACME test server, started on a port the kernel chooses (found through /proc, never
 * probed), with its own TLS certificate from a {@link TestPki}, validating HTTP-01 on {@code httpPort} of whatever
 * the {@link TestDns} resolves (127.0.0.1). Without the package the test is skipped with a message, except in CI
 * ({@code CI=true}), where {@code .ci/run} installs it and its absence is an error.
 */
public final class Pebble implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/bin/pebble");

    private final Process process;
    private final Path caFile;
    private final int port;
    private final Path log;

    public Pebble(Path dir, int httpPort, TestDns dns) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("pebble is not installed: .ci/run installs it (apt-get install pebble)");
            }
            Assumptions.abort("pebble is not installed (apt-get install pebble): ACME tests skipped");
        }
        Files.createDirectories(dir);
        TestPki pki = new TestPki();
        TestPki.Issued tls = pki.issue("localhost", "127.0.0.1");
        Files.writeString(dir.resolve("cert.pem"), TestPki.pem(tls.leaf()) + TestPki.pem(tls.ca()));
        Files.writeString(dir.resolve("key.pem"), TestPki.pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(
                tls.keys().getPrivate(), null).generate()));
        caFile = dir.resolve("ca.pem");
        Files.writeString(caFile, TestPki.pem(tls.ca()));
        Path config = dir.resolve("pebble-config.json");
        Files.writeString(config, "{\"pebble\": {\"listenAddress\": \"127.0.0.1:0\", \"certificate\": \"" + dir.resolve("cert.pem")
                + "\", \"privateKey\": \"" + dir.resolve("key.pem") + "\", \"httpPort\": " + httpPort
                + ", \"tlsPort\": " + httpPort + ", \"ocspResponderURL\": \"\", \"externalAccountBindingRequired\": false}}",
                StandardCharsets.UTF_8);
        log = dir.resolve("pebble.log");
        ProcessBuilder pb = new ProcessBuilder(BINARY.toString(), "-config", config.toString(), "-dnsserver",
                "127.0.0.1:" + dns.address().getPort()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("PEBBLE_VA_NOSLEEP", "1");
        pb.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
        process = pb.start();
        port = awaitListeningPort();
    }

    /** The port pebble's listening socket got: its socket inodes (/proc/PID/fd) matched in /proc/net/tcp. */
    private int awaitListeningPort() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("pebble exited: " + Files.readString(log));
            }
            Set<String> inodes = new HashSet<>();
            try (var fds = Files.list(Path.of("/proc", String.valueOf(process.pid()), "fd"))) {
                fds.forEach(fd -> {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            inodes.add(target.substring(8, target.length() - 1));
                        }
                    } catch (IOException e) {
                        // a descriptor closed meanwhile
                    }
                });
            }
            List<String> lines = Files.readAllLines(Path.of("/proc/net/tcp"));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[3].equals("0A") && inodes.contains(f[9])) {
                    return Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        throw new IllegalStateException("pebble did not listen within 30 s: " + Files.readString(log));
    }

    public String directory() {
        return "https://127.0.0.1:" + port + "/dir";
    }

    /** The CA of pebble's own TLS certificate, for {@code tls.acme.caFile}. */
    public Path caFile() {
        return caFile;
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
