package net.passerelle.gateway.config;

import java.util.List;

/**
 * A record's check that names one of its entries: the loader reports the line of that entry. Jackson calls a record's
 * constructor only after it has read the whole record, so without this the error's line would be past the record.
 */
final class BadEntry extends IllegalArgumentException {
    private final List<String> keys;

    /** @param keys the entry's keys below the record, outermost first ({@code hosts}, {@code a.example}, {@code group}) */
    BadEntry(String message, String... keys) {
        super(message);
        this.keys = List.of(keys);
    }

    List<String> keys() {
        return keys;
    }
}
