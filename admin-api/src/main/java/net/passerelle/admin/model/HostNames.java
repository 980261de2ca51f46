package net.passerelle.admin.model;

import java.net.IDN;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Host-name normalisation shared by the store (names are stored normalised) and the gateway (the Host header
 * is normalised the same way before it is looked up), so that both sides agree byte for byte.
 *
 * <p>The normal form is: lower case; no port; no trailing dot; internationalised names converted to
 * punycode ({@link IDN#toASCII(String, int)} with STD3 rules); every label 1 to 63 characters of
 * {@code [a-z0-9-]} neither starting nor ending with {@code -} (RFC 1123); at most 253 characters in all.
 * A bracketed IPv6 literal ({@code [::1]}) is accepted and kept with its brackets, lower case; IPv4
 * literals are valid RFC 1123 names and pass as they are. Underscores, empty labels, user info and
 * anything else are invalid.
 *
 * <p>{@link #normalize(String)} is meant for the request path: it allocates nothing for a name that is
 * already in normal form and has no port, and never throws.
 */
public final class HostNames {

    /** Longest host name in normal form (RFC 1035 with the trailing dot removed). */
    public static final int MAX_LENGTH = 253;
    /** Longest label. */
    public static final int MAX_LABEL_LENGTH = 63;

    private HostNames() {
    }

    /**
     * Returns the normal form of {@code host}, which may carry a {@code :port} suffix (as a Host header does),
     * or {@code null} when it is not a valid host name.
     */
    public static String normalize(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        String h = stripPort(host);
        if (h == null || h.isEmpty()) {
            return null;
        }
        if (h.charAt(0) == '[') {
            return ipv6Literal(h);
        }
        if (!isAscii(h)) {
            try {
                h = IDN.toASCII(h, IDN.USE_STD3_ASCII_RULES);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return checkAscii(h);
    }

    /**
     * Returns the normal form of {@code host}, or throws with a message that says what is wrong with it.
     *
     * @throws IllegalArgumentException when {@code host} is not a valid host name
     */
    public static String requireValid(String host) {
        String normal = normalize(host);
        if (normal == null) {
            throw new IllegalArgumentException("invalid host name '" + host + "': " + reason(host));
        }
        return normal;
    }

    /** Whether {@code host} is valid (see {@link #normalize(String)}). */
    public static boolean isValid(String host) {
        return normalize(host) != null;
    }

    private static String reason(String host) {
        if (host == null || host.isBlank()) {
            return "empty";
        }
        if (host.length() > 2 * MAX_LENGTH) {
            return "longer than " + MAX_LENGTH + " characters";
        }
        if (host.indexOf('_') >= 0) {
            return "underscores are not allowed in host names (RFC 1123)";
        }
        if (host.contains("..") || host.startsWith(".")) {
            return "empty label";
        }
        return "expected labels of letters, digits and inner hyphens (RFC 1123, at most 63 characters each, "
                + MAX_LENGTH + " in all), an optional :port, or a bracketed IPv6 literal";
    }

    /** Strips a {@code :port} (digits, possibly empty as RFC 3986 allows); null when the port is malformed. */
    private static String stripPort(String host) {
        int colon = host.lastIndexOf(':');
        if (colon < 0) {
            return host;
        }
        if (host.charAt(0) == '[') {
            int close = host.indexOf(']');
            if (close < 0) {
                return null;
            }
            if (close == host.length() - 1) {
                return host;
            }
            if (close != colon - 1) {
                return null;
            }
        } else if (host.indexOf(':') != colon) {
            return null; // an unbracketed IPv6 literal or garbage
        }
        int len = host.length() - colon - 1;
        if (len > 5) {
            return null;
        }
        int port = 0;
        for (int i = colon + 1; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            port = port * 10 + (c - '0');
        }
        if (port > 65535) {
            return null;
        }
        return host.substring(0, colon);
    }

    private static String ipv6Literal(String h) {
        if (h.length() < 4 || h.charAt(h.length() - 1) != ']') {
            return null;
        }
        String inner = h.substring(1, h.length() - 1);
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
            if (!ok) {
                return null; // no zone ids in a Host header
            }
        }
        if (inner.indexOf(':') < 0) {
            return null;
        }
        try {
            // Bracketed literals are parsed, never resolved.
            InetAddress.getByName(h);
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
        return h.toLowerCase(java.util.Locale.ROOT);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Validates an ASCII name without trailing dot; lower-cases it, allocating only when needed. */
    private static String checkAscii(String h) {
        int n = h.length();
        if (n == 0 || n > MAX_LENGTH) {
            return null;
        }
        boolean upper = false;
        int labelStart = 0;
        for (int i = 0; i <= n; i++) {
            char c = i == n ? '.' : h.charAt(i);
            if (c == '.') {
                int labelLength = i - labelStart;
                if (labelLength == 0 || labelLength > MAX_LABEL_LENGTH
                        || h.charAt(labelStart) == '-' || h.charAt(i - 1) == '-') {
                    return null;
                }
                labelStart = i + 1;
            } else if (c >= 'A' && c <= 'Z') {
                upper = true;
            } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return null;
            }
        }
        return upper ? h.toLowerCase(java.util.Locale.ROOT) : h;
    }
}
