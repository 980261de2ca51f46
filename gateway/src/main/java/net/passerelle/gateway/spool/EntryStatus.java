package net.passerelle.gateway.spool;

import java.util.Locale;

/** Where an entry is in its life. Only {@link #PENDING} and {@link #REPLAYING} entries are (re)sent by a replay. */
public enum EntryStatus {
    /** committed, waiting for replay */
    PENDING,
    /**
     * an attempt was started (durably recorded before sending); found so after a restart, the entry is held as
     * {@link #FAILED_FINAL} "in doubt" (the backend may have it), never sent again without ops
     */
    REPLAYING,
    /** the backend answered 2xx or 3xx; the body file is gone, the outcome is kept */
    DELIVERED,
    /** a final refusal (4xx) or attempts exhausted; the file is kept for ops until discarded */
    FAILED_FINAL,
    /** the file did not verify at start (torn, corrupt, unknown version); kept under set-aside/, never replayed */
    SET_ASIDE,
    /** removed by ops */
    DISCARDED;

    /** {@code pending}, {@code replaying}, {@code delivered}, {@code failed-final}, {@code set-aside}, {@code discarded}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static EntryStatus fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    public boolean awaitsReplay() {
        return this == PENDING || this == REPLAYING;
    }
}
