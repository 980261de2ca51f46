package net.passerelle.admin.model;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * {@code host:port} as written in the configuration and the admin API, IPv6 literals in brackets:
 * {@code 127.0.0.1:8080}, {@code [::1]:8080}, {@code srv-12.internal:80}. This is the one parser of that text;
 * what may be written depends on what the address is for:
 * <ul>
 *   <li>{@link #parse(String)}, an address to listen on: port 0 (an ephemeral port) to 65535, and the wildcards
 *       {@code 0.0.0.0} and {@code [::]} (every interface);</li>
 *   <li>{@link #parseBackend(String)}, a server to connect to: port 1 to 65535, and no wildcard (connecting to
 *       {@code 0.0.0.0} reaches the local machine by accident). {@link Backend#parse(String)} goes through it, and
 *       the {@link Backend} then checks and normalises the host name.</li>
 * </ul>
 *
 * @param host a host name or an IP literal, IPv6 without brackets; as written (not normalised)
 * @param port 0 to 65535
 */
public record HostPort(String host, int port) {

    /** What an address is for, and so what it may be. */
    private enum Use {
        LISTENER("bad address", 0, true),
        BACKEND("invalid backend", 1, false);

        final String prefix;
        final int minPort;
        final boolean allowsWildcard;

        Use(String prefix, int minPort, boolean allowsWildcard) {
            this.prefix = prefix;
            this.minPort = minPort;
            this.allowsWildcard = allowsWildcard;
        }
    }

    /** @throws IllegalArgumentException on an empty host or a port out of 0..65535 */
    public HostPort {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("missing host");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /**
     * An address to listen on; port 0 and the wildcards {@code 0.0.0.0} and {@code [::]} are allowed.
     *
     * @throws IllegalArgumentException with a message that starts with {@code bad address}, quotes {@code text} and
     *                                  says what is expected
     */
    public static HostPort parse(String text) {
        return parse(text, Use.LISTENER);
    }

    /**
     * A backend's address: port 1 to 65535, not a wildcard. The host is not checked further here (see
     * {@link Backend}).
     *
     * @throws IllegalArgumentException with a message that starts with {@code invalid backend}, quotes {@code text}
     *                                  and says what is expected
     */
    public static HostPort parseBackend(String text) {
        return parse(text, Use.BACKEND);
    }

    private static HostPort parse(String text, Use use) {
        String s = text == null ? "" : text.trim();
        if (s.isEmpty()) {
            throw refuse(use, s, "expected host:port or [ipv6]:port, e.g. 127.0.0.1:8080 or [::1]:8080");
        }
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw refuse(use, text, "expected [ipv6]:port");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw refuse(use, text, "missing port, expected host:port");
            }
            if (s.indexOf(':') != colon) {
                throw refuse(use, text, "an IPv6 address must be written in brackets, [ipv6]:port");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw refuse(use, text, "port '" + port + "' is not a number from " + use.minPort + " to 65535");
        }
        int number = Integer.parseInt(port);
        if (number < use.minPort || number > 65535) {
            throw refuse(use, text, "port " + number + " is out of range, expected " + use.minPort + " to 65535");
        }
        if (host.isEmpty()) {
            throw refuse(use, text, "empty host");
        }
        if (!use.allowsWildcard && isWildcard(host)) {
            throw refuse(use, text, "the wildcard address " + host + " is for listening, not for a server to connect to");
        }
        return new HostPort(host, number);
    }

    private static IllegalArgumentException refuse(Use use, String text, String reason) {
        return new IllegalArgumentException(use.prefix + " '" + (text == null ? "" : text) + "': " + reason);
    }

    /** {@code 0.0.0.0} or {@code ::} in any spelling; a host name or a malformed literal is not. Never looks up DNS. */
    static boolean isWildcard(String host) {
        if (host.indexOf(':') >= 0) {
            try {
                // Bracketed, InetAddress takes it as an IPv6 literal or refuses it: no DNS lookup.
                return InetAddress.getByName("[" + host + "]").isAnyLocalAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c == '0')) {
                return false;
            }
        }
        return true;
    }

    /** Resolves now: addresses are read off the request path, so a blocking lookup here is fine. */
    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    /** {@code host:port}, IPv6 literals in brackets; the parsers read it back. */
    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
