/**
 * Backend health: active HTTP checks on a dedicated client ({@link net.passerelle.gateway.health.HttpProbe}),
 * passive detection from real traffic, ops' admin states ({@code ready}/{@code drain}/{@code maint}), all in
 * {@link net.passerelle.gateway.health.HealthRegistry}; and the request path's backend choice with failover to
 * spares ({@link net.passerelle.gateway.health.BackendSelector}).
 */
package net.passerelle.gateway.health;
