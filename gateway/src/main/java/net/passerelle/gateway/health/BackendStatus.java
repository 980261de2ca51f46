package net.passerelle.gateway.health;

import java.time.Instant;

/**
 * One backend's health as ops see it (admin API, metrics). Plain values, serialisable to JSON as is.
 *
 * @param address     the address checked, {@code 127.0.0.1:8081} or {@code [::1]:8081}
 * @param name        the backend as configured
 * @param health      {@code up} or {@code down}, from checks and passive detection; {@code unknown} when it has no
 *                    host to be checked with (its groups have none and {@code health.host} is empty)
 * @param admin       {@code ready}, {@code drain} or {@code maint}
 * @param available   whether it takes new requests now (up and ready)
 * @param lastCheck   the last check's result ({@code HTTP 200}, {@code connection refused}, …), or null before the first
 * @param lastCheckAt when it ended, or null
 * @param since       when {@code health} last changed (or the backend was first tracked)
 * @param reason      why it is in its current health state: the latest check that agrees with it
 *                    ({@code check: HTTP 200 (12 in a row)}), else what put it there (passive errors, maint, a start
 *                    without a check yet); a check that disagrees but has not yet changed the state is in lastCheck only
 * @param transitions how many times it went up or down
 */
public record BackendStatus(String address, String name, String health, String admin, boolean available,
                            String lastCheck, Instant lastCheckAt, Instant since, String reason, long transitions) {
}
