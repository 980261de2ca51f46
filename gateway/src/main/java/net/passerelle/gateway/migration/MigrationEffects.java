package net.passerelle.gateway.migration;

import net.passerelle.admin.api.FleetConfirmer;
import net.passerelle.admin.model.Migration;
import net.passerelle.gateway.cutover.CutoverReport;

import java.util.concurrent.CompletableFuture;

/**
 * What the migration steps need besides the store: the fleet's confirmation of a table version, the verification of
 * the new backends, and how far the replay of the group's spools has got. Changes of the group itself are not here:
 * they are written by the store in the same transaction as the step that makes them (see
 * {@code MigrationChange#mode}), so that they happen exactly when the step's compare-and-set succeeds.
 */
public interface MigrationEffects {

    /** Completes when every gateway live at the write has applied {@code version}, is lost, or the wait timed out. */
    CompletableFuture<FleetConfirmer.Confirmation> confirm(long version);

    /** The cutover verification of {@code to}'s backends and spares for every host of the group, both families. */
    CompletableFuture<CutoverReport> verify(Migration m);

    /** The replay of what the group's spools queued during the migration, here and on the other gateways. */
    ReplayProgress replay(Migration m);
}
