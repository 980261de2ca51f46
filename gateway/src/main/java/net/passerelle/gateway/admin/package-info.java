/**
 * The gateway's admin wiring: {@link net.passerelle.gateway.admin.GatewayAdmin} puts the control plane's API
 * ({@code net.passerelle.admin.api}) together with the routes that need this process's data plane: cutover
 * (verify, then switch), backends' administrative states and health, and the spool (summary, replay, discard).
 * The data-plane packages ({@code proxy}, {@code spool}, {@code cutover}, {@code health}…) do not depend on the
 * admin API: this package depends on them.
 */
package net.passerelle.gateway.admin;
