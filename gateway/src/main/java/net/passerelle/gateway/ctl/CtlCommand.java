package net.passerelle.gateway.ctl;

import net.passerelle.gateway.config.ConfigException;
import net.passerelle.gateway.config.ConfigLoader;
import net.passerelle.gateway.config.GatewayConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/**
 * {@code passerelle ctl [options] COMMAND}: the connection to the admin API, shared by every subcommand (its options
 * may stand before or after the subcommand's name).
 *
 * <p>The token is the first of: {@code --token}; the environment variable {@code PASSERELLE_ADMIN_TOKEN};
 * {@code admin.token} of the {@code --config} file; the token file ({@code --token-file}, else {@code admin.tokenFile}
 * of the {@code --config} file, else {@code ./data/admin-token}), which the gateway writes when no token is configured.
 * With none found, ctl calls without one; the admin API (which always has a token) refuses, and ctl then says where
 * it looked.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true, version = "passerelle ctl 0.1.0",
        description = "Drive the admin API: groups, modes, windows, cutover, migrations, spool, fleet, audit.",
        footer = {"", "Exit codes: 0 applied, 3 partially applied (some gateway did not confirm), 4 refused (4xx), 2 usage,"
                + " 1 other failure (admin API unreachable, 5xx)."},
        subcommands = {StatusCommand.class, GroupsCommand.class, HostsCommand.class, ModeCommand.class,
                WindowCommand.class, CutoverCommand.class, BackendCommand.class, SpoolCommand.class,
                GatewaysCommand.class, AuditCommand.class, MigrateCommand.class})
public final class CtlCommand {
    public static final String DEFAULT_ADMIN = "http://127.0.0.1:9090";
    static final String DEFAULT_TOKEN_FILE = "./data/admin-token";

    @Option(names = "--admin", paramLabel = "URL", scope = ScopeType.INHERIT,
            description = "admin API base URL (default: admin.listen of --config, else " + DEFAULT_ADMIN + ")")
    String admin;

    @Option(names = "--token", paramLabel = "TOKEN", scope = ScopeType.INHERIT,
            description = "bearer token (default: $PASSERELLE_ADMIN_TOKEN, then admin.token of --config, then the token file)")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "file holding the token (default: admin.tokenFile of --config, else " + DEFAULT_TOKEN_FILE + ")")
    Path tokenFile;

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "a gateway configuration to read the admin address and token file from")
    Path config;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "print the API's JSON as it came, for scripts")
    boolean json;

    @Option(names = "--progress", scope = ScopeType.INHERIT,
            description = "show the progress line even when standard error is not a terminal")
    boolean progress;

    @Option(names = "--as", paramLabel = "NAME", scope = ScopeType.INHERIT,
            description = "who the audit log names for this change (X-Passerelle-Actor), e.g. alice@ops")
    String actor;

    @Option(names = "--timeout", paramLabel = "SECONDS", scope = ScopeType.INHERIT, defaultValue = "60",
            description = "how long to wait for an answer (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    /** The environment (replaceable in tests). */
    Function<String, String> environment = System::getenv;

    /** Where {@link #resolveToken} looked when it found no token, for the answer to a call made without one. */
    private String tokenNotFound;

    AdminClient client() {
        GatewayConfig cfg = loadConfig();
        String t = resolveToken(cfg);
        return new AdminClient(adminUri(cfg), t, t == null ? tokenNotFound : null, actor,
                Duration.ofSeconds(Math.max(1, timeoutSeconds)));
    }

    /**
     * "passerelle ctl --admin URL ": how the operator reaches the same admin API again, for the commands printed as
     * next steps (the token is left out: it comes from the environment or the token file, never a terminal's history).
     */
    String again() {
        StringBuilder s = new StringBuilder("passerelle ctl ");
        if (admin != null) {
            s.append("--admin ").append(admin).append(' ');
        }
        if (config != null) {
            s.append("--config ").append(config).append(' ');
        }
        return s.toString();
    }

    boolean showProgress() {
        return progress || Progress.stderrIsTerminal();
    }

    private GatewayConfig loadConfig() {
        if (config == null) {
            return null;
        }
        try {
            return new ConfigLoader(environment).load(config);
        } catch (ConfigException e) {
            throw new CtlException(Exit.USAGE, e.getMessage());
        }
    }

    private URI adminUri(GatewayConfig cfg) {
        String url = admin;
        if (url == null && cfg != null) {
            url = cfg.admin().localUrl();
        }
        if (url == null) {
            url = DEFAULT_ADMIN;
        }
        try {
            URI uri = URI.create(url.endsWith("/") ? url : url + "/");
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new CtlException(Exit.USAGE, "--admin must be an http(s) URL such as " + DEFAULT_ADMIN + ", not '" + url + "'");
        }
    }

    String resolveToken(GatewayConfig cfg) {
        if (token != null && !token.isBlank()) {
            return token.strip();
        }
        String env = environment.apply("PASSERELLE_ADMIN_TOKEN");
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        if (cfg != null && cfg.admin().token() != null) {
            return cfg.admin().token();
        }
        Path file = tokenFile != null ? tokenFile : Path.of(cfg != null ? cfg.admin().tokenFile() : DEFAULT_TOKEN_FILE);
        String looked = "no --token, no $PASSERELLE_ADMIN_TOKEN, " + (cfg != null ? "no admin.token in " + config + ", " : "");
        try {
            String t = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (t.isEmpty()) {
                tokenNotFound = looked + "and the token file " + file.toAbsolutePath().normalize() + " is empty";
                return null;
            }
            return t;
        } catch (NoSuchFileException e) {
            if (tokenFile != null) {
                throw new CtlException(Exit.USAGE, "--token-file " + file + " does not exist");
            }
            tokenNotFound = looked + "and no token file at " + file.toAbsolutePath().normalize();
            return null;
        } catch (IOException e) {
            throw new CtlException(Exit.FAILURE, "cannot read the token file " + file + ": " + e.getMessage());
        }
    }
}
