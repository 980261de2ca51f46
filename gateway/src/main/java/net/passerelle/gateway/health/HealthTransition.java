package net.passerelle.gateway.health;

import java.time.Instant;

/**
 * One change of a backend's health or admin state, for metrics and the audit trail.
 *
 * @param kind  {@code health} or {@code admin}
 * @param from  previous state ({@code up}/{@code down}, or an admin state)
 * @param to    new state
 * @param cause {@code check: HTTP 503}, {@code passive: 5 consecutive errors}, {@code admin}, …
 */
public record HealthTransition(String address, String name, String kind, String from, String to, String cause, Instant at) {
}
