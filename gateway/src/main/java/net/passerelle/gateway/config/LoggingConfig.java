package net.passerelle.gateway.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Log levels, applied at start and again on {@code SIGHUP} (see {@code net.passerelle.gateway.reload}).
 *
 * @param level   the root level ({@code info})
 * @param loggers level per logger name, e.g. {@code net.passerelle.gateway.proxy: debug}; a logger not named keeps
 *                the level Logback was configured with (the gateway's built-in levels, or the operator's file)
 */
public record LoggingConfig(String level, Map<String, String> loggers) {
    public static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error", "off");
    private static final Pattern LOGGER_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");

    public LoggingConfig {
        level = normalise(level == null ? "info" : level, "level");
        Map<String, String> checked = new LinkedHashMap<>();
        if (loggers != null) {
            for (Map.Entry<String, String> e : loggers.entrySet()) {
                if (!LOGGER_NAME.matcher(e.getKey()).matches()) {
                    throw new BadEntry("logging.loggers: '" + e.getKey() + "' is not a logger name", "loggers", e.getKey());
                }
                checked.put(e.getKey(), normalise(e.getValue(), "loggers", e.getKey()));
            }
        }
        loggers = Map.copyOf(checked);
    }

    /** @param keys the level's keys below {@code logging}, for the error's line */
    private static String normalise(String value, String... keys) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        if (!LEVELS.contains(v)) {
            throw new BadEntry("logging." + String.join(".", keys) + " must be one of " + String.join(", ", LEVELS)
                    + ", got '" + value + "'", keys);
        }
        return v;
    }
}
