package net.passerelle.gateway.routing;

/** A registered host name and the group that serves it. */
public record HostRoute(String host, String account, GroupRoute group) {
}
