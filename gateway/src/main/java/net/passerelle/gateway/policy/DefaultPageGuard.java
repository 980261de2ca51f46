package net.passerelle.gateway.policy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.FastThreadLocal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
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
    private final int scanBytes;
    /** Each distinct first byte of the fingerprints, repeated in the eight bytes of a long. */
    private final long[] firstBytesRepeated;

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
        this.firstBytesRepeated = list.stream().mapToLong(f -> (f[0] & 0xffL) * 0x0101010101010101L).distinct().toArray();
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
            // The common case, on the hot path: the start of the page copied once into this thread's scratch array,
            // which is read eight bytes at a time without a buffer's bounds and reference checks on every read.
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
     * One pass over the scanned bytes, eight at a time: each word is tested at once for every distinct first byte of
     * the fingerprints (the zero-byte test of "bit twiddling hacks" on the word xor that byte repeated), and only the
     * positions it flags are checked against the fingerprints. Profiled on the 1 KiB GET, the pass per first byte
     * this replaces (a {@link ByteBuf#indexOf} from each hit onwards) was 16 % of the event loop's own time on text
     * rich in capitals.
     */
    private String matchIn(byte[] text, int to) {
        int at = 0;
        for (; at + Long.BYTES <= to; at += Long.BYTES) {
            long flagged = firstByteCandidates((long) LONGS.get(text, at));
            while (flagged != 0) {
                String found = matchAt(text, at + (Long.numberOfTrailingZeros(flagged) >>> 3), to);
                if (found != null) {
                    return found;
                }
                flagged &= flagged - 1;
            }
        }
        for (; at < to; at++) {
            String found = matchAt(text, at, to);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /**
     * The high bit of each byte of {@code word} (little-endian: byte 0 is the lowest) that may be a fingerprint's
     * first byte. Never misses one; a borrow can flag a byte above a true hit, which {@link #matchAt} then rejects.
     */
    private long firstByteCandidates(long word) {
        long flagged = 0;
        for (long repeated : firstBytesRepeated) {
            long x = word ^ repeated;
            flagged |= (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
        }
        return flagged;
    }

    private String matchAt(byte[] text, int at, int to) {
        byte first = text[at];
        for (byte[] f : fingerprints) {
            if (f[0] == first && at + f.length <= to && Arrays.equals(text, at, at + f.length, f, 0, f.length)) {
                return new String(f, StandardCharsets.UTF_8);
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
