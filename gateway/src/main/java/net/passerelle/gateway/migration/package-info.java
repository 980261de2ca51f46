/**
 * Migrations as one call: the driver that every admin process runs ({@link
 * net.passerelle.gateway.migration.MigrationDriver}), the steps it takes ({@link
 * net.passerelle.gateway.migration.MigrationSteps}) and what they act on ({@link
 * net.passerelle.gateway.migration.MigrationEffects}). The rules themselves are the control plane's pure
 * {@code MigrationFlow}; the state is in the store ({@code MigrationStore}), so any admin process of the fleet can
 * resume what another one started.
 */
package net.passerelle.gateway.migration;
