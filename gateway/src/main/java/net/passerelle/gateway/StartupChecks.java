package net.passerelle.gateway;

import net.passerelle.admin.api.Authenticator;
import net.passerelle.gateway.admin.GatewayAdmin;
import net.passerelle.gateway.config.StoreConfig;
import net.passerelle.gateway.config.AdminConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.control.SeedModel;
import net.passerelle.gateway.health.HealthSettings;
import net.passerelle.gateway.policy.ClassifierProfiles;
import net.passerelle.gateway.server.Transport;
import net.passerelle.gateway.spool.SpoolSettings;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every check of a configuration that start-up makes before it opens anything, in one place, so that
 * {@code --check} says exactly what start-up would refuse: the seed and the classification profiles as the gateway
 * reads them, health and spool settings, the transport, the admin API's exposure and tokens, and the fleet's timings
 * against each other. (What only trying can tell, a listener's port being free or the store being reachable, is
 * for start-up alone.)
 */
final class StartupChecks {
    /** How much longer than the lease the confirmation must wait, to name a gateway that stopped as lost. */
    static final Duration CONFIRM_OVER_LEASE = Duration.ofSeconds(1);
    /** How many heartbeats one lease must span. */
    static final int POLLS_PER_LEASE = 5;

    private StartupChecks() {
    }

    /** What is wrong with {@code config}, one line per problem, each naming its keys; empty when nothing is. */
    static List<String> problems(GatewayConfig config, Function<String, String> env) {
        List<String> problems = new ArrayList<>();
        check(problems, () -> SeedModel.state(config.seed()));
        check(problems, () -> ClassifierProfiles.fromConfig(config.classification()));
        check(problems, () -> HealthSettings.from(config.health()));
        check(problems, () -> SpoolSettings.from(config.spool()));
        check(problems, () -> Transport.select(config.server().transport()));
        timings(problems, config);
        if (config.admin().enabled()) {
            admin(problems, config.admin(), env);
        }
        return problems;
    }

    private static void check(List<String> problems, Supplier<?> step) {
        try {
            step.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            problems.add(e.getMessage());
        }
    }

    private static void timings(List<String> problems, GatewayConfig config) {
        StoreConfig s = config.store();
        if (s.lease().compareTo(s.pollInterval().multipliedBy(POLLS_PER_LEASE)) < 0) {
            problems.add("store.lease (" + s.lease().toMillis() + "ms) must span at least " + POLLS_PER_LEASE
                    + " heartbeats of store.pollInterval (" + s.pollInterval().toMillis() + "ms): one slow heartbeat"
                    + " would lose the lease");
        }
        Duration confirm = config.admin().confirmTimeout();
        if (config.admin().enabled() && confirm.compareTo(s.lease().plus(CONFIRM_OVER_LEASE)) < 0) {
            problems.add("admin.confirmTimeout (" + confirm.toMillis() + "ms) must be at least store.lease ("
                    + s.lease().toMillis() + "ms) plus " + CONFIRM_OVER_LEASE.toSeconds() + "s: a gateway that stops"
                    + " answering is named lost when its lease ends, which must come before the confirmation gives up");
        }
    }

    private static void admin(List<String> problems, AdminConfig ac, Function<String, String> env) {
        String admin = GatewayAdmin.configuredToken(ac, env);
        ac.tokens().forEach((name, token) -> {
            String problem = Authenticator.nameProblem(name);
            if (problem != null) {
                problems.add("admin.tokens: " + problem);
            } else if (token == null || token.isBlank()) {
                problems.add("admin.tokens." + name + " is empty");
            }
        });
        if (admin != null && ac.tokens().containsKey(Authenticator.ADMIN)) {
            problems.add("admin.tokens.admin and admin.token (or PASSERELLE_ADMIN_TOKEN) both name a token 'admin':"
                    + " keep one");
        }
        if (ac.tokens().values().stream().distinct().count() < ac.tokens().size()
                || admin != null && ac.tokens().containsValue(admin)) {
            problems.add("admin.tokens: one token is given two names; the audit log could not tell who called");
        }
        boolean configured = admin != null || !ac.tokens().isEmpty();
        if (!configured && !isLoopback(ac.listen().host())) {
            problems.add("admin.listen is " + ac.listen() + ", not a loopback address, and no token is configured:"
                    + " set admin.token (or PASSERELLE_ADMIN_TOKEN) or admin.tokens, or listen on 127.0.0.1"
                    + " (the generated token in admin.tokenFile is for local use)");
        }
        if (!configured) {
            tokenFile(problems, Path.of(ac.tokenFile()));
        }
    }

    /** The generated token's file must be readable, or creatable where it is configured. */
    private static void tokenFile(List<String> problems, Path file) {
        Path abs = file.toAbsolutePath().normalize();
        if (Files.exists(abs)) {
            if (!Files.isReadable(abs) || !Files.isWritable(abs)) {
                problems.add("admin.tokenFile " + abs + " cannot be read and written by this user");
            }
            return;
        }
        Path dir = abs.getParent();
        while (dir != null && !Files.exists(dir)) {
            dir = dir.getParent();
        }
        if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
            problems.add("admin.tokenFile " + abs + " cannot be created: " + (dir == null ? "no parent directory" : dir
                    + " is not a writable directory"));
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
