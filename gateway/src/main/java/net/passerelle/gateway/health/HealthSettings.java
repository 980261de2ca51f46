package net.passerelle.gateway.health;

import net.passerelle.gateway.config.HealthConfig;

import java.time.Duration;
import java.util.List;

/**
 * How this gateway checks backends: the {@code health:} section of the configuration ({@link HealthConfig}, which
 * documents every field and its default) as the health package uses it. Every null takes its default, and the
 * values are checked the same way as the configuration's.
 * <p>{@code host}: the Host header of checks; by default one host of the backend's groups, and none (the backend
 * is not checked, its health {@code unknown}) when they have no host: probing with the backend's own address would
 * land on the server's default site and report it up.
 */
public record HealthSettings(Duration interval, Duration fastInterval, String path, Duration timeout, Integer rise,
                             Integer fall, Integer passiveFailures, List<String> expect, String host) {
    public HealthSettings {
        // One place for the defaults and the checks: the configuration record's.
        HealthConfig c = new HealthConfig(interval, fastInterval, path, timeout, rise, fall, passiveFailures, expect, host);
        interval = c.interval();
        fastInterval = c.fastInterval();
        path = c.path();
        timeout = c.timeout();
        rise = c.rise();
        fall = c.fall();
        passiveFailures = c.passiveFailures();
        expect = c.expect();
        host = c.host();
    }

    public static HealthSettings from(HealthConfig c) {
        return new HealthSettings(c.interval(), c.fastInterval(), c.path(), c.timeout(), c.rise(), c.fall(),
                c.passiveFailures(), c.expect(), c.host());
    }

    public static HealthSettings defaults() {
        return from(HealthConfig.defaults());
    }

    /** Whether a check that got this status passed. */
    public boolean expects(int status) {
        for (String e : expect) {
            int[] range = HealthConfig.expectedRange(e);
            if (status >= range[0] && status <= range[1]) {
                return true;
            }
        }
        return false;
    }
}
