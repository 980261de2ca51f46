package net.passerelle.gateway.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway as its users run it: {@code net.passerelle.gateway.Main --config FILE} in a JVM of its own, with the
 * JVM options the test gives (a small heap, say). The listener's port is the one the kernel chose for
 * {@code 127.0.0.1:0}, read from the gateway's own "listening on" log line.
 */
final class GatewayProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on /127\\.0\\.0\\.1:(\\d+)");
    private static final int OUTPUT_KEPT = 1 << 20;

    private final Process process;
    private final Path stderr;
    /** The log (stdout) so far, filled by a thread that drains the pipe; guarded by itself. */
    private final StringBuilder stdout;
    private final InetSocketAddress address;
    private final Path config;

    private GatewayProcess(Process process, Path stderr, StringBuilder stdout, int port, Path config) {
        this.config = config;
        this.process = process;
        this.stderr = stderr;
        this.stdout = stdout;
        this.address = new InetSocketAddress("127.0.0.1", port);
    }

    static GatewayProcess start(Path dir, String yaml, List<String> jvmOptions) throws IOException, InterruptedException {
        return start(dir, yaml, jvmOptions, java.util.Map.of());
    }

    /** @param environment variables added to the gateway's environment (NOTIFY_SOCKET, say) */
    static GatewayProcess start(Path dir, String yaml, List<String> jvmOptions, java.util.Map<String, String> environment)
            throws IOException, InterruptedException {
        return start(dir, yaml, jvmOptions, environment, List.of());
    }

    /** @param launcher what runs the JVM's command ({@code sh -c '…; exec "$0" "$@"'}, say); empty: the JVM itself */
    static GatewayProcess start(Path dir, String yaml, List<String> jvmOptions, java.util.Map<String, String> environment,
                                List<String> launcher) throws IOException, InterruptedException {
        Path config = dir.resolve("passerelle.yml");
        Files.writeString(config, yaml);
        Path err = dir.resolve("stderr.log");
        // Surefire may run tests from a manifest-only jar; it names the real class path in this property.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // To show that a regression test fails on an older build: -Dpasserelle.test.gatewayJar=that/passerelle.jar
        classPath = System.getProperty("passerelle.test.gatewayJar", classPath);
        List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, "net.passerelle.gateway.Main", "--config", config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().remove("PASSERELLE_ADMIN_TOKEN"); // the configuration says everything
        builder.environment().putAll(environment);
        Process p = builder.start();
        p.getOutputStream().close();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        StringBuilder early = new StringBuilder();
        Thread drain = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (early) {
                        if (early.length() < OUTPUT_KEPT) {
                            early.append(line).append('\n');
                        }
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                // the process went away; what it said is kept
            }
            port.completeExceptionally(new IllegalStateException("the gateway exited without listening"));
        }, "gateway-process-stdout");
        drain.setDaemon(true);
        drain.start();
        try {
            return new GatewayProcess(p, err, early, port.get(60, TimeUnit.SECONDS), config);
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            String out;
            synchronized (early) {
                out = early.toString();
            }
            throw new IllegalStateException("gateway did not start: " + e.getMessage() + "\nstdout:\n" + out
                    + "\nstderr:\n" + Files.readString(err));
        }
    }

    InetSocketAddress address() {
        return address;
    }

    long pid() {
        return process.pid();
    }

    /** The configuration file the gateway was started with (SIGHUP re-reads it). */
    Path configFile() {
        return config;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends {@code signal} ({@code STOP}, {@code CONT}…) to the gateway's JVM, as {@code kill -SIGNAL pid} does. */
    void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    /** Everything the gateway wrote so far, stdout (its log) then stderr. */
    String output() {
        String out;
        synchronized (stdout) {
            out = stdout.toString();
        }
        try {
            return out + Files.readString(stderr);
        } catch (IOException e) {
            return out;
        }
    }

    /** Stops the gateway (SIGTERM, as a service manager would) and returns its exit code. */
    int stop() throws InterruptedException {
        try {
            signal("CONT"); // a stopped JVM would not hear SIGTERM
        } catch (IOException | IllegalStateException e) {
            // gone already
        }
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
