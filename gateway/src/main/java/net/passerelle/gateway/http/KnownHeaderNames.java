package net.passerelle.gateway.http;

import io.netty.util.AsciiString;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The header names browsers, curl and web servers send every time, each as one shared {@link AsciiString} in its
 * lower-case and its Title-Case spelling: a decoder that meets one of them byte for byte uses the shared name instead
 * of allocating a copy (header names were the largest share of a proxied request's garbage). Any other spelling or
 * name is decoded as before, so the case a client chose always reaches the backend unchanged.
 */
public final class KnownHeaderNames {
    private static final String[] NAMES = {
            // requests
            "host", "user-agent", "accept", "accept-language", "accept-encoding", "accept-charset", "connection",
            "keep-alive", "cookie", "referer", "origin", "content-type", "content-length", "transfer-encoding",
            "cache-control", "pragma", "upgrade-insecure-requests", "if-modified-since", "if-none-match", "if-match",
            "if-range", "range", "authorization", "dnt", "te", "upgrade", "expect", "x-requested-with",
            "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-real-ip", "x-request-id", "forwarded", "via",
            "sec-fetch-dest", "sec-fetch-mode", "sec-fetch-site", "sec-fetch-user", "sec-ch-ua", "sec-ch-ua-mobile",
            "sec-ch-ua-platform", "priority", "x-http-method-override",
            // responses
            "server", "date", "content-encoding", "content-language", "content-disposition", "last-modified", "etag",
            "accept-ranges", "expires", "vary", "set-cookie", "location", "x-powered-by", "age", "link", "retry-after",
            "access-control-allow-origin", "strict-transport-security", "x-content-type-options", "x-frame-options",
            "content-security-policy", "referrer-policy", "www-authenticate", "x-xss-protection",
    };
    private static final int MAX_LENGTH = 32;
    /** By length: the candidates of that length, both spellings. */
    private static final AsciiString[][] BY_LENGTH = build();

    private KnownHeaderNames() {
    }

    private static AsciiString[][] build() {
        List<List<AsciiString>> byLength = new ArrayList<>();
        for (int i = 0; i <= MAX_LENGTH; i++) {
            byLength.add(new ArrayList<>());
        }
        for (String name : NAMES) {
            byLength.get(name.length()).add(AsciiString.cached(name));
            byLength.get(name.length()).add(AsciiString.cached(titleCase(name)));
        }
        AsciiString[][] table = new AsciiString[MAX_LENGTH + 1][];
        for (int i = 0; i <= MAX_LENGTH; i++) {
            table[i] = byLength.get(i).toArray(new AsciiString[0]);
        }
        return table;
    }

    static String titleCase(String name) {
        StringBuilder b = new StringBuilder(name.length());
        boolean up = true;
        for (char c : name.toCharArray()) {
            b.append(up ? Character.toUpperCase(c) : c);
            up = c == '-';
        }
        return name.equals("dnt") || name.equals("te") ? name.toUpperCase(Locale.ROOT) : b.toString();
    }

    /** The shared name spelled exactly as {@code bytes[start, start + length)}, or null. */
    public static AsciiString find(byte[] bytes, int start, int length) {
        if (length > MAX_LENGTH) {
            return null;
        }
        for (AsciiString candidate : BY_LENGTH[length]) {
            byte[] c = candidate.array();
            int offset = candidate.arrayOffset();
            int i = 0;
            while (i < length && c[offset + i] == bytes[start + i]) {
                i++;
            }
            if (i == length) {
                return candidate;
            }
        }
        return null;
    }
}
