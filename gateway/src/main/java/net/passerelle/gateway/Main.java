package net.passerelle.gateway;

import net.passerelle.gateway.config.ConfigException;
import net.passerelle.gateway.config.ConfigLoader;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.ctl.CtlCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code java -jar passerelle.jar [--config FILE] [--check]}: runs the gateway (and, unless disabled, the admin API);
 * {@code java -jar passerelle.jar ctl …} drives a running one (see {@link CtlCommand}).
 */
@Command(name = "passerelle", mixinStandardHelpOptions = true, version = "passerelle 0.1.0",
        description = "Host-routed edge gateway for gallery hosting: read-only windows, cutover, failover.",
        subcommands = CtlCommand.class)
public final class Main implements Callable<Integer> {
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
        try {
            ServiceRunner.run(config, cfg, System::getenv);
        } catch (IllegalStateException | IllegalArgumentException e) {
            System.err.println("passerelle: cannot start: " + e.getMessage());
            return 1;
        }
        return 0;
    }

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
