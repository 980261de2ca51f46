/**
 * {@code passerelle ctl}: the admin API from a terminal or a script. {@link net.passerelle.gateway.ctl.CtlCommand}
 * holds the connection options and the list of subcommands; each subcommand is one class over
 * {@link net.passerelle.gateway.ctl.AdminClient} and renders a {@link net.passerelle.gateway.ctl.Table}, or the API's
 * JSON unchanged with {@code --json}. Exit codes are in {@link net.passerelle.gateway.ctl.Exit}.
 */
package net.passerelle.gateway.ctl;
