package net.passerelle.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.NetUtil;
import net.passerelle.gateway.config.Cidr;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Header rewriting at the proxy boundary: hop-by-hop headers never cross it (RFC 9110 §7.6.1), and the forwarding
 * headers a backend sees are the gateway's own, unless the client is a configured trusted proxy whose chain is
 * extended rather than replaced.
 */
public final class ForwardingHeaders {
    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    public static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    public static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
    public static final AsciiString FORWARDED = AsciiString.cached("forwarded");
    public static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    public static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    /** Set by the gateway on a replayed queued write alone; a client (or a proxy before us) never sets it. */
    public static final AsciiString X_PASSERELLE_REPLAY = AsciiString.cached("x-passerelle-replay");

    private static final AsciiString[] HOP_BY_HOP = {
            HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, PROXY_CONNECTION, HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
            HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.PROXY_AUTHENTICATE,
    };

    /** A client's protocol when it is HTTP/2 (as {@code ClientInfo} and the access log name it). */
    public static final String H2 = "h2";

    private final List<Cidr> trustedProxies;
    private final String viaValue;
    private final String viaValueHttp2;

    public ForwardingHeaders(List<Cidr> trustedProxies, String viaName) {
        this.trustedProxies = List.copyOf(trustedProxies);
        this.viaValue = "1.1 " + viaName;
        this.viaValueHttp2 = "2 " + viaName;
    }

    public boolean isTrusted(InetAddress peer) {
        for (int i = 0; i < trustedProxies.size(); i++) {
            if (trustedProxies.get(i).contains(peer)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A client as the forwarding headers describe it, computed once per connection rather than once per request
     * (the address text and the {@code for=} element, and the last {@code Forwarded} value built with them).
     */
    public static final class Client {
        final InetAddress address;
        final String text;
        final String forElement;
        private String lastHost;
        private String lastScheme;
        private String lastForwarded;

        public Client(InetAddress address) {
            this.address = address;
            this.text = addressText(address);
            this.forElement = address instanceof Inet6Address ? "for=\"[" + text + "]\"" : "for=" + text;
        }

        /** The address as text ({@code 192.0.2.7}, {@code 2001:db8::7}), as the access log and the headers give it. */
        public String text() {
            return text;
        }

        String forwarded(String host, String scheme) {
            if (!host.equals(lastHost) || !scheme.equals(lastScheme)) {
                String hostValue = host.indexOf(':') >= 0 || host.indexOf('"') >= 0 ? quote(host) : host;
                lastForwarded = forElement + ";host=" + hostValue + ";proto=" + scheme;
                lastHost = host;
                lastScheme = scheme;
            }
            return lastForwarded;
        }
    }

    /** Removes the hop-by-hop headers, including every header the Connection header names. */
    public static void removeHopByHop(HttpHeaders headers) {
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            removeNamedByConnection(headers);
        }
        for (AsciiString name : HOP_BY_HOP) {
            headers.remove(name);
        }
    }

    /**
     * The headers the Connection header names go too. Its usual tokens ({@code keep-alive}, {@code close},
     * {@code upgrade}) name nothing else to remove, and are read in place without splitting the value.
     */
    private static void removeNamedByConnection(HttpHeaders headers) {
        List<String> named = null;
        for (java.util.Iterator<? extends CharSequence> it = headers.valueCharSequenceIterator(HttpHeaderNames.CONNECTION);
             it.hasNext(); ) {
            CharSequence value = it.next();
            int start = 0;
            int length = value.length();
            while (start < length) {
                int comma = indexOf(value, ',', start);
                int end = comma < 0 ? length : comma;
                int a = start;
                int b = end;
                while (a < b && value.charAt(a) <= ' ') {
                    a++;
                }
                while (b > a && value.charAt(b - 1) <= ' ') {
                    b--;
                }
                if (b > a && !isPlainConnectionToken(value, a, b)) {
                    if (named == null) {
                        named = new ArrayList<>(2);
                    }
                    named.add(value.subSequence(a, b).toString());
                }
                start = end + 1;
            }
        }
        if (named == null) {
            return;
        }
        for (String name : named) {
            // Connection must not be used to strip the end-to-end headers the backend relies on.
            if (!HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)
                    && !HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                    && !X_FORWARDED_FOR.contentEqualsIgnoreCase(name)
                    && !FORWARDED.contentEqualsIgnoreCase(name)) {
                headers.remove(name);
            }
        }
    }

    private static boolean isPlainConnectionToken(CharSequence value, int a, int b) {
        return regionEquals(value, a, b, HttpHeaderValues.KEEP_ALIVE) || regionEquals(value, a, b, HttpHeaderValues.CLOSE)
                || regionEquals(value, a, b, HttpHeaderValues.UPGRADE);
    }

    private static boolean regionEquals(CharSequence value, int a, int b, AsciiString token) {
        if (b - a != token.length()) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            if (AsciiString.toLowerCase(value.charAt(a + i)) != AsciiString.toLowerCase((char) token.byteAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(CharSequence s, char c, int from) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Rewrites a client request's headers, in place, for the backend.
     *
     * @param clientAddress the peer's address (or the original client's, when replaying a queued request)
     * @param host          the Host header as the client sent it
     * @param scheme        {@code http} or {@code https}, as the client reached the gateway
     */
    public void prepareRequest(HttpHeaders headers, InetAddress clientAddress, boolean trustedPeer, String host,
                               String scheme, String requestId) {
        prepareRequest(headers, new Client(clientAddress), trustedPeer, host, scheme, requestId);
    }

    /** As above, for a client whose description is kept for its connection's life. */
    public void prepareRequest(HttpHeaders headers, Client clientInfo, boolean trustedPeer, String host,
                               String scheme, String requestId) {
        prepareRequest(headers, clientInfo, trustedPeer, host, scheme, null, requestId);
    }

    /**
     * As above, for a request received over {@code protocol} (null for HTTP/1.x, {@link #H2}), which the {@code Via}
     * entry names ({@code 1.1} or {@code 2}, RFC 9110, 7.6.3): the forwarding headers are otherwise the same whatever
     * the version.
     */
    public void prepareRequest(HttpHeaders headers, Client clientInfo, boolean trustedPeer, String host,
                               String scheme, String protocol, String requestId) {
        boolean chunked = headers.containsValue(HttpHeaderNames.TRANSFER_ENCODING, "chunked", true);
        removeHopByHop(headers);
        if (chunked) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        }
        // The replay marker is the gateway's word that a request is a queued write replayed: never a client's.
        headers.remove(X_PASSERELLE_REPLAY);
        String client = clientInfo.text;
        if (trustedPeer) {
            String xff = joinAll(headers, X_FORWARDED_FOR);
            headers.set(X_FORWARDED_FOR, xff == null ? client : xff + ", " + client);
            if (!headers.contains(X_FORWARDED_PROTO)) {
                headers.set(X_FORWARDED_PROTO, scheme);
            }
            if (!headers.contains(X_FORWARDED_HOST)) {
                headers.set(X_FORWARDED_HOST, host);
            }
            String forwarded = joinAll(headers, FORWARDED);
            String ours = clientInfo.forwarded(host, scheme);
            headers.set(FORWARDED, forwarded == null ? ours : forwarded + ", " + ours);
        } else {
            headers.remove(X_FORWARDED_PORT);
            headers.remove(X_REAL_IP);
            headers.set(X_FORWARDED_FOR, client);
            headers.set(X_FORWARDED_PROTO, scheme);
            headers.set(X_FORWARDED_HOST, host);
            headers.set(FORWARDED, clientInfo.forwarded(host, scheme));
        }
        String viaEntry = viaFor(protocol);
        String via = joinAll(headers, HttpHeaderNames.VIA);
        headers.set(HttpHeaderNames.VIA, via == null ? viaEntry : via + ", " + viaEntry);
        headers.set(X_REQUEST_ID, requestId);
    }

    /** Rewrites a backend response's headers, in place, for the client. */
    public void prepareResponse(HttpHeaders headers, String requestId) {
        boolean chunked = headers.containsValue(HttpHeaderNames.TRANSFER_ENCODING, "chunked", true);
        removeHopByHop(headers);
        if (chunked) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        }
        String via = joinAll(headers, HttpHeaderNames.VIA);
        headers.set(HttpHeaderNames.VIA, via == null ? viaValue : via + ", " + viaValue);
        if (!headers.contains(X_REQUEST_ID)) {
            headers.set(X_REQUEST_ID, requestId);
        }
    }

    private String viaFor(String protocol) {
        return H2.equals(protocol) ? viaValueHttp2 : viaValue;
    }

    private static String joinAll(HttpHeaders headers, CharSequence name) {
        if (!headers.contains(name)) {
            return null;
        }
        List<String> all = headers.getAll(name);
        if (all.isEmpty()) {
            return null;
        }
        return all.size() == 1 ? all.get(0) : String.join(", ", all);
    }


    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * The address as text: IPv6 in its canonical form (RFC 5952: {@code ::1}, lower case, the longest run of zeros
     * compressed) without a zone, IPv4-mapped IPv6 addresses (from a dual-stack listener) shown as IPv4.
     */
    public static String addressText(InetAddress address) {
        return NetUtil.toAddressString(address);
    }

    /** A client-supplied request id is kept when it is a short token; otherwise a fresh one is made. */
    public static boolean isAcceptableRequestId(String id) {
        if (id == null || id.isEmpty() || id.length() > 128) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '_' || c == '.' || c == ':' || c == '+' || c == '/' || c == '=';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
