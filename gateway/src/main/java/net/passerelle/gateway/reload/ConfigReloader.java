package net.passerelle.gateway.reload;

import net.passerelle.gateway.config.ConfigException;
import net.passerelle.gateway.config.ConfigLoader;
import net.passerelle.gateway.config.GatewayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code SIGHUP}: reads the configuration file again and validates all of it first; a file that does not load is
 * logged with its line and key and changes nothing. Otherwise every changed key is logged, the settings that only a
 * restart applies are named, and the {@link Reloadable} target applies the rest. Reloads are serialised.
 */
public final class ConfigReloader {
    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);
    /**
     * Keys, or the sections they open, that a reload applies without a restart: what {@code LogLevels},
     * {@code proxy/Tunables}, {@code ConnectionLimiter} and {@code OriginPools} take again. Every other key is named
     * as needing one, so this list must follow what those classes read.
     */
    public static final Set<String> LIVE = Set.of("logging", "limits", "upstream", "classification", "maintenance",
            "tls.hsts");
    /** Keys inside {@link #LIVE} sections that are read once at start: the memory guard is sized then. */
    public static final Set<String> RESTART_ONLY = Set.of("limits.maxBufferedMemory");

    /** What a reload did. */
    public record Result(boolean loaded, String error, List<ConfigDiff.Change> changes, Set<String> needRestart) {
    }

    private final Path file;
    private final ConfigLoader loader;
    private final Reloadable target;
    private GatewayConfig current;

    public ConfigReloader(Path file, ConfigLoader loader, GatewayConfig initial, Reloadable target) {
        this.file = Objects.requireNonNull(file);
        this.loader = Objects.requireNonNull(loader);
        this.current = Objects.requireNonNull(initial);
        this.target = Objects.requireNonNull(target);
    }

    /** Whether a reload applies {@code key} ({@code limits.idleTimeout}) without a restart. */
    public static boolean appliesLive(String key) {
        return within(key, RESTART_ONLY) == null && within(key, LIVE) != null;
    }

    /** The entry of {@code keys} that is {@code key} or a section holding it ({@code limits.maxBufferedMemory.bytes}). */
    private static String within(String key, Set<String> keys) {
        for (String k : keys) {
            if (key.equals(k) || key.startsWith(k + ".")) {
                return k;
            }
        }
        return null;
    }

    public synchronized GatewayConfig current() {
        return current;
    }

    public synchronized Result reload() {
        GatewayConfig next;
        try {
            next = loader.load(file);
        } catch (ConfigException e) {
            log.error("reload refused, nothing changed: {}", e.getMessage());
            return new Result(false, e.getMessage(), List.of(), Set.of());
        }
        List<ConfigDiff.Change> changes = ConfigDiff.between(current, next);
        if (changes.isEmpty()) {
            log.info("configuration reloaded from {}: nothing changed", file);
            return new Result(true, null, changes, Set.of());
        }
        Set<String> restart = new TreeSet<>();
        for (ConfigDiff.Change c : changes) {
            boolean live = appliesLive(c.key());
            log.info("configuration change {}{}", c, live ? "" : c.section().equals("seed")
                    ? " (the seed is written at the first start only: change groups and hosts with the admin API)"
                    : " (needs a restart)");
            if (!live) {
                restart.add(c.key());
            }
        }
        try {
            target.reload(current, next);
        } catch (RuntimeException e) {
            log.error("reload: applying the new settings failed", e);
        }
        current = next;
        if (restart.isEmpty()) {
            log.info("configuration reloaded from {}: {} change(s) applied", file, changes.size());
        } else {
            log.warn("configuration reloaded from {}: {} change(s); these need a restart to take effect: {}", file,
                    changes.size(), String.join(", ", restart));
        }
        return new Result(true, null, changes, restart);
    }
}
