/**
 * The control plane's model: groups, hosts, backends, modes, windows, audit entries and gateway statuses as plain,
 * validated, immutable records. No Netty, no JDBC; Jackson annotations only, so that JSON and YAML use the wire
 * names ({@code read-only}, {@code queue}, {@code host:port}).
 *
 * <p>Constructors validate and normalise, and throw {@link java.lang.IllegalArgumentException} with a message
 * that names the offending value: a value of these types is always valid. {@link net.passerelle.admin.model.HostNames}
 * is the one host-name normalisation, shared with the gateway's Host-header routing.
 */
package net.passerelle.admin.model;
