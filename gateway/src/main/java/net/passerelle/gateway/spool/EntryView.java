package net.passerelle.gateway.spool;

import java.time.Instant;

/**
 * One entry as ops see it: never the body, headers, query string or cookies. For a set-aside file whose head could
 * not be read, method, path and arrival are null and {@code referenceId} is the file name's.
 *
 * @param attempts      replay attempts made
 * @param lastStatus    HTTP status of the last attempt, 0 when none answered
 * @param lastReason    reason phrase, connection error or why the file was set aside; null when none
 * @param lastAttemptAt time of the last status change
 */
public record EntryView(String referenceId, long sequence, String method, String path, Instant arrival,
                        long sizeBytes, EntryStatus status, int attempts, int lastStatus, String lastReason,
                        Instant lastAttemptAt) {
}
