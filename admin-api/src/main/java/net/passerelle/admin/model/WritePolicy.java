package net.passerelle.admin.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What a read-only group does with writes. Written {@code reject}, {@code queue}. */
public enum WritePolicy {
    /** {@code 503} with {@code Retry-After} and the notice; nothing is forwarded. */
    REJECT("reject"),
    /** Spooled to disk (fsync) and answered {@code 202}; replayed when the group leaves read-only. */
    QUEUE("queue");

    private final String wireName;

    WritePolicy(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in JSON, YAML and the store. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /**
     * Parses a wire name ({@code reject}, {@code queue}).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    @JsonCreator
    public static WritePolicy parse(String name) {
        for (WritePolicy p : values()) {
            if (p.wireName.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("invalid write policy '" + name + "': expected one of reject, queue");
    }

    @Override
    public String toString() {
        return wireName;
    }
}
