package net.passerelle.admin.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;


/**
 * A backend server of a group: host (a host name, an IPv4 literal or an IPv6 literal without brackets) and port.
 * Written {@code host:port}, with an IPv6 literal in brackets: {@code [::1]:8080}.
 */
public record Backend(String host, int port) {

    /**
     * Validates and normalises: host names and IPv6 literals are lower-cased, host names lose a trailing dot.
     *
     * @throws IllegalArgumentException with a message naming the offending value
     */
    public Backend {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("invalid backend: empty host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("invalid backend port " + port + " for '" + host + "': expected 1 to 65535");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.indexOf(':') >= 0) {
            String literal = HostNames.normalize("[" + host + "]");
            if (literal == null) {
                throw new IllegalArgumentException("invalid backend host '" + host + "': not an IPv6 address");
            }
            host = literal.substring(1, literal.length() - 1);
        } else {
            if (looksLikeIpv4(host) && !isIpv4(host)) {
                throw new IllegalArgumentException("invalid backend host '" + host + "': not an IPv4 address");
            }
            String name = HostNames.normalize(host);
            if (name == null || name.startsWith("[")) {
                throw new IllegalArgumentException("invalid backend host '" + host + "': not a host name (RFC 1123) or IP address");
            }
            host = name;
        }
    }

    /**
     * Parses {@code host:port} or {@code [ipv6]:port} with {@link HostPort#parseBackend(String)}: the port is
     * required (1 to 65535), wildcard addresses are refused, then the host is checked and normalised.
     *
     * @throws IllegalArgumentException with a message that quotes {@code text} and says what is expected
     */
    @JsonCreator
    public static Backend parse(String text) {
        HostPort address = HostPort.parseBackend(text);
        try {
            return new Backend(address.host(), address.port());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid backend '" + text + "': " + stripPrefix(e.getMessage()), e);
        }
    }

    /** Whether the host is an IPv6 literal. */
    public boolean isIpv6() {
        return host.indexOf(':') >= 0;
    }

    /** {@code host:port}, IPv6 literals in brackets; {@link #parse(String)} reads it back. */
    @JsonValue
    @Override
    public String toString() {
        return isIpv6() ? "[" + host + "]:" + port : host + ":" + port;
    }

    private static String stripPrefix(String message) {
        return message != null && message.startsWith("invalid backend ") ? message.substring("invalid backend ".length()) : message;
    }

    private static boolean looksLikeIpv4(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(c == '.' || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

}
