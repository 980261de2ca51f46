package net.passerelle.gateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The {@code health:} section: how backends are checked. Every null takes its documented default; the health
 * package builds its settings from this record ({@code HealthSettings.from}).
 *
 * @param interval        time between two checks of a backend whose state is settled (default 2s)
 * @param fastInterval    time between checks while a backend's state is changing (a check disagreed with it; like
 *                        HAProxy's {@code fastinter}); default a quarter of {@code interval}, so a dead backend with
 *                        {@code fall: 3} is out within 1.5 intervals
 * @param path            the request target of a check (default {@code /})
 * @param timeout         connect + response head, per check (default 1s)
 * @param rise            consecutive good checks to go up (default 2)
 * @param fall            consecutive bad checks to go down (default 3)
 * @param passiveFailures consecutive errors seen by real traffic (connect failures, closes before a response, 5xx)
 *                        that take a backend down before the checks do (default 5; 0 switches passive detection off)
 * @param expect          expected statuses: classes ({@code 2xx}) or codes ({@code 204}); default 2xx and 3xx
 * @param host            Host header of checks; default the first host of the backend's group (or its own name)
 */
public record HealthConfig(Duration interval, Duration fastInterval, String path, Duration timeout, Integer rise,
                           Integer fall, Integer passiveFailures, List<String> expect, String host) {
    public HealthConfig {
        interval = interval == null ? Duration.ofSeconds(2) : interval;
        fastInterval = fastInterval == null ? interval.dividedBy(4) : fastInterval;
        path = path == null || path.isBlank() ? "/" : path;
        timeout = timeout == null ? Duration.ofSeconds(1) : timeout;
        rise = rise == null ? 2 : rise;
        fall = fall == null ? 3 : fall;
        passiveFailures = passiveFailures == null ? 5 : passiveFailures;
        expect = expect == null || expect.isEmpty() ? List.of("2xx", "3xx") : List.copyOf(expect);
        host = host == null || host.isBlank() ? null : host;
        if (interval.toMillis() < 10) {
            throw new BadEntry("health.interval must be at least 10ms", "interval");
        }
        if (fastInterval.toMillis() < 10) {
            throw new BadEntry("health.fastInterval must be at least 10ms", "fastInterval");
        }
        if (timeout.toMillis() < 1) {
            throw new BadEntry("health.timeout must be positive", "timeout");
        }
        if (!path.startsWith("/")) {
            throw new BadEntry("health.path must start with /, got '" + path + "'", "path");
        }
        if (rise < 1) {
            throw new BadEntry("health.rise must be >= 1, got " + rise, "rise");
        }
        if (fall < 1) {
            throw new BadEntry("health.fall must be >= 1, got " + fall, "fall");
        }
        if (passiveFailures < 0) {
            throw new BadEntry("health.passiveFailures must be >= 0 (0 = off), got " + passiveFailures, "passiveFailures");
        }
        for (String e : expect) {
            expectedRange(e);
        }
    }

    public static HealthConfig defaults() {
        return new HealthConfig(null, null, null, null, null, null, null, null, null);
    }

    /**
     * The statuses one {@code expect} entry accepts, {@code [low, high]}: {@code 2xx} is 200..299, {@code 204} is 204.
     *
     * @throws IllegalArgumentException when it is neither a status nor a class
     */
    public static int[] expectedRange(String e) {
        String s = e.trim().toLowerCase(Locale.ROOT);
        if (s.matches("[1-5]xx")) {
            int c = (s.charAt(0) - '0') * 100;
            return new int[]{c, c + 99};
        }
        if (s.matches("[1-5][0-9][0-9]")) {
            int c = Integer.parseInt(s);
            return new int[]{c, c};
        }
        throw new IllegalArgumentException("health.expect: '" + e + "' is neither a status (200) nor a class (2xx)");
    }
}
