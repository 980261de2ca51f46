/**
 * The write spool: writes to a {@code read-only}/{@code queue} group are streamed to local disk
 * ({@link net.passerelle.gateway.spool.Spool#begin}, {@link net.passerelle.gateway.spool.SpoolWriter}) and acknowledged
 * only once durable (file fsync, rename, directory fsync); {@link net.passerelle.gateway.spool.Replayer} sends them in
 * arrival order with {@code Idempotency-Key} when the group opens again. Entry format: {@code EntryFormat}; outcome
 * journal: {@code Journal}; recovery at start: {@link net.passerelle.gateway.spool.Spool#open}.
 */
package net.passerelle.gateway.spool;
