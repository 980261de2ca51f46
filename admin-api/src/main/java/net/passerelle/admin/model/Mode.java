package net.passerelle.admin.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The mode of an account group: what the gateway does with its traffic.
 * Written {@code open}, {@code read-only}, {@code maintenance} in JSON, YAML and the store.
 */
public enum Mode {
    /** Everything is proxied. */
    OPEN("open"),
    /** Reads are proxied; writes are rejected or queued according to the group's {@link WritePolicy}. */
    READ_ONLY("read-only"),
    /** Nothing is proxied; every request gets the notice. */
    MAINTENANCE("maintenance");

    private final String wireName;

    Mode(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in JSON, YAML and the store. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /**
     * Parses a wire name ({@code open}, {@code read-only}, {@code maintenance}).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    @JsonCreator
    public static Mode parse(String name) {
        for (Mode m : values()) {
            if (m.wireName.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("invalid mode '" + name + "': expected one of open, read-only, maintenance");
    }

    @Override
    public String toString() {
        return wireName;
    }
}
