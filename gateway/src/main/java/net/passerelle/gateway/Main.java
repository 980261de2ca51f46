package net.passerelle.gateway;

import net.passerelle.gateway.config.ConfigException;
import net.passerelle.gateway.config.ConfigLoader;
import net.passerelle.gateway.config.GatewayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar passerelle.jar [--config FILE] [--check]}: runs the gateway (and, unless disabled, the admin API). */
@Command(name = "passerelle", mixinStandardHelpOptions = true, version = "passerelle 0.1.0",
        description = "Host-routed edge gateway for gallery hosting: read-only windows, cutover, failover.")
public final class Main implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML configuration (default: built-in defaults)")
    Path config;

    @Option(names = "--check", description = "validate the configuration as start-up does and exit (0 when it is usable)")
    boolean check;

    @Override
    public Integer call() throws Exception {
        GatewayConfig cfg;
        try {
            cfg = config == null ? GatewayConfig.defaults() : ConfigLoader.withSystemEnvironment().load(config);
        } catch (ConfigException e) {
            System.err.println("passerelle: " + e.getMessage());
            return 2;
        }
        if (check) {
            // Every check start-up makes before it opens anything: what --check accepts, start-up accepts.
            java.util.List<String> problems = StartupChecks.problems(cfg, System::getenv);
            if (!problems.isEmpty()) {
                problems.forEach(p -> System.err.println("passerelle: " + (config == null ? "" : config + ": ") + p));
                return 2;
            }
            System.out.println("configuration OK" + (config == null ? " (built-in defaults)" : ": " + config));
            return 0;
        }
        Passerelle app;
        try {
            app = Passerelle.start(cfg);
        } catch (IllegalStateException | IllegalArgumentException e) {
            System.err.println("passerelle: cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down: draining connections");
            app.shutdown();
            stopped.countDown();
        }, "passerelle-shutdown"));
        stopped.await();
        return 0;
    }

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
