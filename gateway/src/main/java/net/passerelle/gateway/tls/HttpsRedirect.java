package net.passerelle.gateway.tls;

import java.util.function.IntSupplier;

/**
 * {@code tls.redirectHttp}: the pure decision whether a plain-HTTP request goes to https instead. The request path
 * calls {@link #location} at admission on the plain listener and answers {@code 308} with that {@code Location}
 * when it is not null.
 */
public final class HttpsRedirect {
    /** The HTTP-01 path prefix, never redirected (RFC 8555 section 8.3: validation is over plain HTTP). */
    public static final String CHALLENGE_PREFIX = "/.well-known/acme-challenge/";

    private final boolean enabled;
    private final CertificateRegistry registry;
    private final IntSupplier tlsPort;

    /** @param tlsPort the port of the TLS listeners (the bound one: port 0 is chosen at start) */
    public HttpsRedirect(boolean enabled, CertificateRegistry registry, IntSupplier tlsPort) {
        this.enabled = enabled;
        this.registry = registry;
        this.tlsPort = tlsPort;
    }

    /** Never redirects. */
    public static HttpsRedirect off() {
        return new HttpsRedirect(false, null, () -> 443);
    }

    /**
     * @param normalizedHost the request's host, normalised (lower case, punycode, no port, no trailing dot)
     * @param uri            the request target as received: origin form ({@code /a?b}) or absolute form
     * @return the https URL to answer {@code 308} with, or null to serve the request as it is: redirection off, an
     *         ACME challenge, or a host that no certificate covers (it would get a certificate error over https)
     */
    public String location(String normalizedHost, String uri) {
        if (!enabled || normalizedHost == null || normalizedHost.isEmpty()) {
            return null;
        }
        String path = originForm(uri);
        if (path.startsWith(CHALLENGE_PREFIX) || !registry.covers(normalizedHost)) {
            return null;
        }
        int port = tlsPort.getAsInt();
        return "https://" + normalizedHost + (port == 443 || port <= 0 ? "" : ":" + port) + path;
    }

    /** The path and query of a request target, whichever form it came in. */
    static String originForm(String uri) {
        if (uri == null || uri.isEmpty()) {
            return "/";
        }
        if (uri.charAt(0) == '/') {
            return uri;
        }
        int scheme = uri.indexOf("://");
        if (scheme < 0) {
            return "/";
        }
        int slash = uri.indexOf('/', scheme + 3);
        int query = uri.indexOf('?', scheme + 3);
        if (slash < 0 && query < 0) {
            return "/";
        }
        if (slash < 0 || (query >= 0 && query < slash)) {
            return "/" + uri.substring(query);
        }
        return uri.substring(slash);
    }
}
