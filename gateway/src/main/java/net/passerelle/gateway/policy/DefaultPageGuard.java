package net.passerelle.gateway.policy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.FastThreadLocal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * The last line of defence against the migration-day incident: a backend answering a known host with a web
 * server's default page ("Apache2 Debian Default Page", "Welcome to nginx!", …). Looks only at HTML responses, and
 * only at their first {@link #scanBytes()} bytes (decompressed when the backend gzipped them).
 */
public final class DefaultPageGuard {
    /** The scan's blocks (two bytes) are hashed to this many bits: a 4 KiB shift table, which stays in L1. */
    private static final int HASH_BITS = 12;
    /**
     * Per thread, shared by every guard (one per gateway, and the cutover and health checks' own): where the start
     * of a page is copied or inflated to be scanned. Grown to the largest scanBytes a thread has needed.
     */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[4096];
        }
    };

    private final boolean enabled;
    private final byte[][] fingerprints;
    private final String[] names;
    private final int scanBytes;
    /** The shortest fingerprint's length: the window the scan slides. */
    private final int window;
    /** Per block hash: how far the window may move when its last two bytes hash so. */
    private final byte[] shift;
    /** Per block hash: the fingerprints (indexes, in listed order) whose first {@link #window} bytes end so. */
    private final int[][] endingIn;

    public DefaultPageGuard(boolean enabled, List<String> fingerprints, int scanBytes) {
        this.enabled = enabled && !fingerprints.isEmpty();
        List<String> kept = fingerprints.stream().filter(f -> !f.isEmpty()).toList();
        this.names = kept.toArray(new String[0]);
        this.fingerprints = kept.stream().map(f -> f.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        this.scanBytes = scanBytes;
        this.window = Arrays.stream(this.fingerprints).mapToInt(f -> f.length).min().orElse(0);
        this.shift = new byte[1 << HASH_BITS];
        this.endingIn = new int[1 << HASH_BITS][];
        compileShifts();
    }

    /**
     * Wu and Manber's table for blocks of two bytes: a block found at the end of the window that ends no
     * fingerprint's first {@link #window} bytes lets the window move past it; one that sits {@code k} bytes from
     * such an end lets it move {@code k}. Hash collisions only shorten moves, never skip a match.
     */
    private void compileShifts() {
        Arrays.fill(endingIn, new int[0]);
        if (window < 2) {
            return; // a one-byte fingerprint: every position is checked (matchEverywhere)
        }
        Arrays.fill(shift, (byte) Math.min(window - 1, Byte.MAX_VALUE));
        for (int i = 0; i < fingerprints.length; i++) {
            byte[] f = fingerprints[i];
            for (int j = 1; j < window; j++) {
                int h = hash(f[j - 1], f[j]);
                shift[h] = (byte) Math.min(shift[h], window - 1 - j);
            }
            int h = hash(f[window - 2], f[window - 1]);
            endingIn[h] = Arrays.copyOf(endingIn[h], endingIn[h].length + 1);
            endingIn[h][endingIn[h].length - 1] = i;
        }
    }

    private static int hash(byte first, byte second) {
        return ((first & 0xff) << (HASH_BITS - 8) ^ (second & 0xff)) & ((1 << HASH_BITS) - 1);
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
        if (type != null && !isHtml(type)) {
            return false;
        }
        String encoding = response.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        return encoding == null || isReadable(encoding);
    }

    /**
     * HTML as a browser renders it: {@code text/html}, and XHTML ({@code application/xhtml+xml}: Debian's Apache page
     * is an XHTML document). A response without a type counts too, since browsers sniff it and render the page, so
     * a backend that drops the header must not carry its default page past the guard.
     */
    private static boolean isHtml(String type) {
        String t = type.stripLeading();
        return t.regionMatches(true, 0, "text/html", 0, 9) || t.regionMatches(true, 0, "application/xhtml+xml", 0, 21);
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
            // The common case, on the hot path: the start of the page copied once into this thread's scratch array,
            // which the scan reads without a buffer's bounds and reference checks on every read.
            int length = Math.min(start.readableBytes(), scanBytes);
            byte[] text = scratch();
            start.getBytes(start.readerIndex(), text, 0, length);
            return matchIn(text, length);
        }
        byte[] text = scratch();
        return matchIn(text, inflate(start, encoding, text));
    }

    private byte[] scratch() {
        byte[] text = SCRATCH.get();
        if (text.length < scanBytes) {
            text = new byte[scanBytes];
            SCRATCH.set(text);
        }
        return text;
    }

    /**
     * The fingerprint that starts first in {@code text[0, to)} (the one listed first at a position), or null. A
     * window as long as the shortest fingerprint slides over the text by Wu and Manber's shifts: on text unlike the
     * fingerprints it looks at about one position in {@code window - 1}, where the word-at-a-time scan of first bytes
     * it replaced looked at every byte and checked every capital. {@code DefaultPageGuardBenchmark}: the harness's
     * 1 KiB page of base64 in 340 ns instead of 1,470-1,960, 4 KiB of a gallery's markup in 1,390-1,450 instead of
     * 1,920-2,410 (the copy into the scratch array included).
     */
    private String matchIn(byte[] text, int to) {
        if (window < 2) {
            return matchEverywhere(text, to);
        }
        int end = window - 1;
        while (end < to) {
            int h = hash(text[end - 1], text[end]);
            int move = shift[h];
            if (move > 0) {
                end += move;
                continue;
            }
            int at = end - window + 1;
            for (int i : endingIn[h]) {
                byte[] f = fingerprints[i];
                if (at + f.length <= to && Arrays.equals(text, at, at + f.length, f, 0, f.length)) {
                    return names[i];
                }
            }
            end++;
        }
        return null;
    }

    private String matchEverywhere(byte[] text, int to) {
        for (int at = 0; at < to; at++) {
            for (int i = 0; i < fingerprints.length; i++) {
                byte[] f = fingerprints[i];
                if (at + f.length <= to && Arrays.equals(text, at, at + f.length, f, 0, f.length)) {
                    return names[i];
                }
            }
        }
        return null;
    }

    /**
     * Inflates the first {@code scanBytes} of a compressed body into {@code buf} from the part we hold, and says how
     * many: the stream is cut short (or may be corrupt), so what could be inflated before it ends is what is scanned.
     */
    private int inflate(ByteBuf start, String encoding, byte[] buf) {
        int n = 0;
        try (InputStream raw = new ByteBufInputStream(start.duplicate());
             InputStream in = encoding.trim().toLowerCase(java.util.Locale.ROOT).contains("gzip")
                     ? new GZIPInputStream(raw) : new InflaterInputStream(raw)) {
            int r;
            while (n < scanBytes && (r = in.read(buf, n, scanBytes - n)) > 0) {
                n += r;
            }
        } catch (IOException truncatedOrCorrupt) {
            // keep what was inflated
        }
        return n;
    }
}
