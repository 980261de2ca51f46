package net.passerelle.admin.model;

import java.time.Instant;

/**
 * One change in the audit log.
 *
 * @param id      unique; increasing on one database node but not contiguous (do not rely on gaps or order across
 *                a Galera cluster; order by {@code version} then {@code id})
 * @param at      when the change was made (UTC, millisecond precision)
 * @param actor   who made it (the API's caller, {@code seed} for the configuration's seed)
 * @param action  what was done, e.g. {@code group.create}, {@code group.mode}, {@code host.delete}
 * @param target  what it was done to: a group name or a host name
 * @param before  JSON of the target before the change, {@code null} for a creation
 * @param after   JSON of the target after the change, {@code null} for a deletion
 * @param version the routing-table version that the change produced
 */
public record AuditEntry(long id, Instant at, String actor, String action, String target, String before, String after,
                         long version) {
}
