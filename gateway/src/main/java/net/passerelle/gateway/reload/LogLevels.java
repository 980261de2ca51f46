package net.passerelle.gateway.reload;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.config.LoggingConfig;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Applies {@code logging:} to Logback: the root level and one level per named logger. A logger that leaves the
 * configuration gets back the level it had before this class first changed it (the gateway's built-in one, see
 * {@code logging/GatewayLogConfigurator}, or the one of the operator's Logback file).
 */
public final class LogLevels implements Reloadable {
    private static final org.slf4j.Logger log = LoggerFactory.getLogger(LogLevels.class);
    /** Levels as they were before we touched them (null: inherited), by logger name. */
    private final Map<String, Level> original = new HashMap<>();

    public void apply(LoggingConfig config) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            log.warn("logging levels cannot be set: the logging backend is not Logback");
            return;
        }
        set(context, org.slf4j.Logger.ROOT_LOGGER_NAME, config.level());
        for (String name : new java.util.ArrayList<>(original.keySet())) {
            if (!name.equals(org.slf4j.Logger.ROOT_LOGGER_NAME) && !config.loggers().containsKey(name)) {
                context.getLogger(name).setLevel(original.remove(name));
            }
        }
        config.loggers().forEach((name, level) -> set(context, name, level));
    }

    private void set(LoggerContext context, String name, String level) {
        Logger logger = context.getLogger(name);
        original.putIfAbsent(name, logger.getLevel());
        logger.setLevel(Level.toLevel(level.toUpperCase(Locale.ROOT), Level.INFO));
    }

    @Override
    public void reload(GatewayConfig before, GatewayConfig after) {
        if (!before.logging().equals(after.logging())) {
            apply(after.logging());
        }
    }
}
