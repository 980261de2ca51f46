package net.passerelle.admin.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * What ops decided about a backend, in HAProxy's vocabulary; independent of what the health checks find. One
 * state applies to the backend wherever the table uses it, on every gateway of the fleet.
 * Written {@code ready}, {@code drain}, {@code maint} in JSON and in the store: an API contract.
 */
public enum BackendState {
    /** Takes traffic when its checks say it is up. A backend with no recorded state is ready. */
    READY("ready"),
    /**
     * Takes no new request; requests already forwarded to it finish there. Still checked, so that its health is
     * known for when it is made ready again.
     */
    DRAIN("drain"),
    /**
     * Out completely: no new request, not checked, never chosen even as a last resort. Made ready again, it starts
     * down and must pass its checks before it takes traffic.
     */
    MAINT("maint");

    private final String wireName;

    BackendState(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in JSON and the store. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /**
     * Parses a wire name; surrounding blanks and upper case are tolerated ({@code " Drain "} is {@link #DRAIN}).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    @JsonCreator
    public static BackendState parse(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (BackendState s : values()) {
                if (s.wireName.equals(n)) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("state must be ready, drain or maint, not '" + name + "'");
    }

    @Override
    public String toString() {
        return wireName;
    }
}
