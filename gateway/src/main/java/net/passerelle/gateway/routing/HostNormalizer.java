package net.passerelle.gateway.routing;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Turns the authority a client sent (Host header or absolute-form target) into the key of the routing table:
 * lower case, no port, no trailing dot, internationalised names in punycode. Returns {@code null} for anything
 * that is not a host name or an IP literal, which the gateway answers with 400.
 *
 * <p>This runs on every request, so the common case (an already-normal ASCII name) returns its input without
 * allocating.
 */
public final class HostNormalizer {
    private static final int MAX_NAME = 253;
    private static final int MAX_LABEL = 63;

    private HostNormalizer() {
    }

    public static String normalize(CharSequence authority) {
        if (authority == null) {
            return null;
        }
        int len = authority.length();
        if (len == 0) {
            return null;
        }
        if (authority.charAt(0) == '[') {
            return ipv6Literal(authority);
        }
        int end = len;
        int colon = lastIndexOf(authority, ':');
        if (colon >= 0) {
            if (!isPort(authority, colon + 1, len)) {
                return null;
            }
            end = colon;
        }
        if (end > 0 && authority.charAt(end - 1) == '.') {
            end--;
        }
        if (end == 0 || end > MAX_NAME) {
            return null;
        }
        // Fast path: lower-case LDH name with well-formed labels.
        int labelLength = 0;
        boolean needsWork = false;
        for (int i = 0; i < end; i++) {
            char c = authority.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
                if (++labelLength > MAX_LABEL) {
                    return null;
                }
            } else if (c == '.') {
                if (labelLength == 0) {
                    return null;
                }
                labelLength = 0;
            } else if (c >= 'A' && c <= 'Z' || c >= 0x80 && c <= 0xff) {
                needsWork = true;
                labelLength++;
            } else {
                return null;
            }
        }
        if (labelLength == 0) {
            return null;
        }
        if (!needsWork) {
            if (end == len && authority instanceof String s) {
                return checkHyphens(s);
            }
            return checkHyphens(authority.subSequence(0, end).toString());
        }
        return slowPath(authority.subSequence(0, end).toString());
    }

    private static String slowPath(String name) {
        boolean ascii = true;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        String unicode = name;
        if (!ascii) {
            // HTTP header bytes reach us as ISO-8859-1 characters; a UTF-8 encoded IDN has to be decoded again.
            byte[] raw = name.getBytes(StandardCharsets.ISO_8859_1);
            unicode = new String(raw, StandardCharsets.UTF_8);
            if (unicode.indexOf('\uFFFD') >= 0) {
                return null;
            }
        }
        String ace;
        try {
            ace = IDN.toASCII(unicode, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (ace.isEmpty() || ace.length() > MAX_NAME) {
            return null;
        }
        return checkHyphens(ace);
    }

    private static String checkHyphens(String name) {
        int start = 0;
        int n = name.length();
        for (int i = 0; i <= n; i++) {
            if (i == n || name.charAt(i) == '.') {
                if (i == start || name.charAt(start) == '-' || name.charAt(i - 1) == '-') {
                    return null;
                }
                start = i + 1;
            }
        }
        return name;
    }

    private static String ipv6Literal(CharSequence authority) {
        int close = indexOf(authority, ']');
        if (close < 2) {
            return null;
        }
        int len = authority.length();
        if (close + 1 < len && (authority.charAt(close + 1) != ':' || !isPort(authority, close + 2, len))) {
            return null;
        }
        for (int i = 1; i < close; i++) {
            char c = authority.charAt(i);
            boolean ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.';
            if (!ok) {
                return null;
            }
        }
        return authority.subSequence(0, close + 1).toString().toLowerCase(Locale.ROOT);
    }

    private static boolean isPort(CharSequence s, int from, int to) {
        if (to - from > 5) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static int lastIndexOf(CharSequence s, char c) {
        for (int i = s.length() - 1; i >= 0; i--) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(CharSequence s, char c) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }
}
