package net.passerelle.gateway.spool;

/**
 * Why a write could not be spooled. The proxy answers every one of them with the {@code 503} reject: a {@code 202} is
 * only given for a committed entry.
 */
public final class SpoolException extends RuntimeException {

    public enum Reason {
        /** the group's spool quota would be exceeded */
        GROUP_QUOTA,
        /** the entry alone is larger than {@code spool.maxEntryBytes} */
        ENTRY_TOO_LARGE,
        /** the file system's usable space would fall under {@code spool.minFreeBytes} */
        DISK_FULL,
        /** more was handed over than the backpressure contract allows */
        BACKPRESSURE,
        /** an I/O error (the entry was not committed) */
        IO,
        /** the writer was aborted or the spool closed */
        CLOSED,
    }

    private final Reason reason;

    public SpoolException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public SpoolException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
