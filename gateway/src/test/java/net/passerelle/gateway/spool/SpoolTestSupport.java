package net.passerelle.gateway.spool;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

final class SpoolTestSupport {
    static final InetSocketAddress CLIENT = new InetSocketAddress("203.0.113.7", 51234);

    private SpoolTestSupport() {
    }

    static HttpRequest request(String method, String uri, long contentLength) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri);
        r.headers().set(HttpHeaderNames.HOST, "alice.gallery.example");
        r.headers().set(HttpHeaderNames.COOKIE, "pwg_id=secret-session");
        r.headers().set(HttpHeaderNames.AUTHORIZATION, "Basic c2VjcmV0");
        r.headers().set("X-Forwarded-For", "6.6.6.6");
        if (contentLength >= 0) {
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
        } else {
            r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        }
        return r;
    }

    /** Spools a whole entry in chunks of {@code chunk} bytes, waiting for each write. */
    static SpoolEntry put(Spool s, String group, String method, String uri, byte[] body, int chunk, boolean knownLength)
            throws Exception {
        SpoolWriter w = s.begin(group, request(method, uri, knownLength ? body.length : -1), CLIENT, 0);
        for (int off = 0; off < body.length; off += chunk) {
            int n = Math.min(chunk, body.length - off);
            w.write(Unpooled.directBuffer(n).writeBytes(body, off, n)).get(10, TimeUnit.SECONDS);
        }
        return w.commit().get(10, TimeUnit.SECONDS);
    }

    static SpoolEntry put(Spool s, String group, String uri, String body) throws Exception {
        return put(s, group, "POST", uri, body.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 7, true);
    }

    static SpoolSettings settings(Path dir) {
        return SpoolSettings.defaults(dir).withQuotas(1L << 30, 256L << 20, 0)
                .withReplay(new SpoolSettings.ReplaySettings(java.time.Duration.ofMillis(20),
                        java.time.Duration.ofMillis(100), 4, java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(5)));
    }
}
