/**
 * The store of the routing table: the {@link net.passerelle.admin.store.Store} interface and its JDBC
 * implementation {@link net.passerelle.admin.store.JdbcStore} for MariaDB (a fleet) and an embedded H2 file
 * (one machine), with Flyway migrations in {@code db/migration}.
 *
 * <h2>Schema (V1)</h2>
 * <ul>
 *   <li>{@code table_version(id, v)}: one row, the table version; locked by every mutation and incremented by one.</li>
 *   <li>{@code account_group(name, mode, writes, retry_after_seconds, message, profile, window_start, window_end,
 *       window_mode, window_writes)}: message as a JSON object, window instants as epoch milliseconds.</li>
 *   <li>{@code group_backend(group_name, role, pos, address)}: backends and spares, in order.</li>
 *   <li>{@code host_mapping(host, group_name, account)}: normalised host names; foreign key to the group.</li>
 *   <li>{@code audit_log(id, version, at_ms, actor, action, target, before_json, after_json)}.</li>
 *   <li>{@code gateway_status(gateway_id, applied_version, heartbeat_ms, info)}.</li>
 *   <li>{@code seed_history(kind, name, seeded_ms)}: what the configuration's seed has written once.</li>
 *   <li>V2: {@code backend_state(address, state, updated_ms)}: backends that are not {@code ready}.</li>
 *   <li>V3: {@code gateway_status.lease_ms, lease_until_ms}: each gateway's lease, stamped by the database's clock
 *       ({@link net.passerelle.admin.store.Store#renewLease}); 0 once released, null for a gateway older than leases.</li>
 *   <li>V4: TLS certificates and ACME orders ({@link net.passerelle.admin.store.JdbcCertificateStore}).</li>
 *   <li>V5: {@code migration} (one row per migration: request, state, report, spool outcomes, lock owner and expiry by
 *       the database's clock; {@code active_group} unique while unfinished) and {@code migration_step} (the steps
 *       taken, in order): {@link net.passerelle.admin.store.MigrationStore}, every change a compare-and-set.</li>
 *   <li>V6: {@code migration.standing_writes}: the group's own write policy, recorded when the migration takes it
 *       read-only and restored when the migration opens it again.</li>
 *   <li>V7: {@code account_group.read_only_since}: when the group's standing mode became read-only, set by every
 *       writer of the mode in its transaction (for the notices); null when it is not read-only.</li>
 * </ul>
 *
 * <h2>Adding a table</h2>
 * A new migration {@code V<n>__what.sql} next to the others, and a {@code …Repository} class of its own that gets
 * the {@link net.passerelle.admin.store.Transactions} helper (and the {@link net.passerelle.admin.store.AuditLog}
 * when its changes are audited) and maps its own rows; {@link net.passerelle.admin.store.JdbcStore} creates it and
 * delegates the {@link net.passerelle.admin.store.Store} methods to it.
 *
 * <h2>Seed</h2>
 * The seed of the configuration creates each group and host it names once, ever; it never overwrites what exists
 * and never re-creates what ops deleted through the API (the {@code seed_history} remembers). To re-apply a seed
 * entry, change it through the API.
 *
 * <h2>Fleet and Galera</h2>
 * No auto-increment value is relied upon: audit entries are ordered by the table version they produced. Mutations
 * on different Galera nodes conflict on the {@code table_version} row, so one of them fails certification
 * (deadlock, SQLSTATE 40001) and is retried by the store. Gateways poll {@link net.passerelle.admin.store.Store#version()}
 * and {@link net.passerelle.admin.store.Store#load() load} the whole table when it changes; they never query the store on
 * the request path.
 */
package net.passerelle.admin.store;
