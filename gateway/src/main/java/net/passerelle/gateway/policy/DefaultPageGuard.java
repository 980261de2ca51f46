package net.passerelle.gateway.policy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * The last line of defence against the migration-day incident: a backend answering a known host with a web
 * server's default page ("Apache2 Debian Default Page", "Welcome to nginx!", …). Looks only at HTML responses, and
 * only at their first {@link #scanBytes()} bytes (decompressed when the backend gzipped them).
 */
public final class DefaultPageGuard {
    private final boolean enabled;
    private final byte[][] fingerprints;
    private final int scanBytes;
    private final byte[] distinctFirstBytes;

    public DefaultPageGuard(boolean enabled, List<String> fingerprints, int scanBytes) {
        this.enabled = enabled && !fingerprints.isEmpty();
        List<byte[]> list = new ArrayList<>();
        for (String f : fingerprints) {
            if (!f.isEmpty()) {
                list.add(f.getBytes(StandardCharsets.UTF_8));
            }
        }
        this.fingerprints = list.toArray(new byte[0][]);
        this.scanBytes = scanBytes;
        java.io.ByteArrayOutputStream firsts = new java.io.ByteArrayOutputStream();
        boolean[] seen = new boolean[256];
        for (byte[] f : this.fingerprints) {
            if (!seen[f[0] & 0xff]) {
                seen[f[0] & 0xff] = true;
                firsts.write(f[0]);
            }
        }
        this.distinctFirstBytes = firsts.toByteArray();
    }

    public int scanBytes() {
        return scanBytes;
    }

    /** Whether this response has to be held and scanned before it goes to the client. */
    public boolean appliesTo(HttpResponse response, boolean headRequest) {
        if (!enabled || headRequest) {
            return false;
        }
        int status = response.status().code();
        if (status < 200 || status == 204 || status == 304) {
            return false;
        }
        String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (type == null || !type.regionMatches(true, 0, "text/html", 0, 9)) {
            return false;
        }
        String encoding = response.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        return encoding == null || isReadable(encoding);
    }

    private static boolean isReadable(String encoding) {
        String e = encoding.trim();
        return e.equalsIgnoreCase("gzip") || e.equalsIgnoreCase("x-gzip") || e.equalsIgnoreCase("deflate")
                || e.equalsIgnoreCase("identity");
    }

    /**
     * @param start    the first bytes of the body as received (not consumed)
     * @param encoding the response's Content-Encoding, or null
     * @return the fingerprint found, or null
     */
    public String match(ByteBuf start, String encoding) {
        if (encoding == null || encoding.trim().equalsIgnoreCase("identity")) {
            // The common case, on the hot path: one pass over the buffer in place, no copy.
            int length = Math.min(start.readableBytes(), scanBytes);
            return matchInPlace(start, start.readerIndex(), start.readerIndex() + length);
        }
        byte[] text = inflated(start, encoding);
        for (byte[] f : fingerprints) {
            if (indexOf(text, f) >= 0) {
                return new String(f, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /**
     * Looks for each distinct first byte of the fingerprints with {@link ByteBuf#indexOf} (which compares eight bytes
     * at a time), and checks the fingerprints that start with it at each hit. The built-in fingerprints start with
     * upper-case letters, which ordinary HTML has few of, so a page costs a few fast passes and a handful of checks.
     */
    private String matchInPlace(ByteBuf buf, int from, int to) {
        for (byte first : distinctFirstBytes) {
            int at = from;
            while (at < to && (at = buf.indexOf(at, to, first)) >= 0) {
                for (byte[] f : fingerprints) {
                    if (f[0] == first && at + f.length <= to && regionMatches(buf, at, f)) {
                        return new String(f, StandardCharsets.UTF_8);
                    }
                }
                at++;
            }
        }
        return null;
    }

    private static boolean regionMatches(ByteBuf buf, int at, byte[] f) {
        for (int j = 1; j < f.length; j++) {
            if (buf.getByte(at + j) != f[j]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The first {@code scanBytes} of a compressed body, inflated from the part we hold: the stream is cut short (or
     * may be corrupt), so what could be inflated before it ends is what is scanned.
     */
    private byte[] inflated(ByteBuf start, String encoding) {
        byte[] buf = new byte[scanBytes];
        int n = 0;
        try (InputStream raw = new ByteBufInputStream(start.duplicate());
             InputStream in = encoding.trim().toLowerCase(java.util.Locale.ROOT).contains("gzip")
                     ? new GZIPInputStream(raw) : new InflaterInputStream(raw)) {
            int r;
            while (n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0) {
                n += r;
            }
        } catch (IOException truncatedOrCorrupt) {
            // keep what was inflated
        }
        return java.util.Arrays.copyOf(buf, n);
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
