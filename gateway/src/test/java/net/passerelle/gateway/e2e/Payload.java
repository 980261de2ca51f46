package net.passerelle.gateway.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * A large body that is never in memory: pseudo-random bytes generated piece by piece from a seed, so that a sender
 * and a checker (or a digest computed in advance) agree without anybody keeping it. Also a streaming reader for a
 * response whose body is digested as it arrives.
 */
final class Payload {
    static final int PIECE = 64 * 1024;

    private final SplittableRandom random;
    private long remaining;

    Payload(long size, long seed) {
        this.random = new SplittableRandom(seed);
        this.remaining = size;
    }

    /** Fills up to {@code buf.length} next bytes; 0 at the end. */
    int next(byte[] buf) {
        int n = (int) Math.min(buf.length, remaining);
        if (n == 0) {
            return 0;
        }
        // 8 bytes per long: with buffers a multiple of 8 long, the stream does not depend on their size.
        for (int i = 0; i < n; i += 8) {
            long v = random.nextLong();
            for (int j = 0; j < 8 && i + j < n; j++) {
                buf[i + j] = (byte) (v >>> (8 * j));
            }
        }
        remaining -= n;
        return n;
    }

    static String sha256(long size, long seed) {
        MessageDigest d = newDigest();
        Payload p = new Payload(size, seed);
        byte[] buf = new byte[PIECE];
        int n;
        while ((n = p.next(buf)) > 0) {
            d.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A response read off a stream with its body digested, not kept. */
    record Digested(int status, Map<String, String> headers, long bodyBytes, String sha256) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * Reads one response; {@code afterRead} is told the body bytes received so far after every read (a slow
     * reader paces itself there).
     */
    static Digested read(InputStream in, int readSize, LongConsumer afterRead) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = line(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        MessageDigest d = newDigest();
        byte[] buf = new byte[readSize];
        long total = 0;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            while (true) {
                String size = line(in);
                int semi = size.indexOf(';');
                long n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
                if (n == 0) {
                    while (!line(in).isEmpty()) {
                        // trailers
                    }
                    break;
                }
                total += copy(in, n, buf, d, total, afterRead);
                line(in);
            }
        } else {
            long length = Long.parseLong(headers.get("content-length"));
            total = copy(in, length, buf, d, 0, afterRead);
        }
        return new Digested(status, headers, total, HexFormat.of().formatHex(d.digest()));
    }

    private static long copy(InputStream in, long n, byte[] buf, MessageDigest d, long before, LongConsumer afterRead)
            throws IOException {
        long left = n;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                throw new IOException("truncated body: " + (n - left) + " of " + n);
            }
            d.update(buf, 0, r);
            left -= r;
            afterRead.accept(before + n - left);
        }
        return n;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] b = bo.toByteArray();
                int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                return new String(b, 0, len, StandardCharsets.ISO_8859_1);
            }
            bo.write(c);
        }
        return bo.size() == 0 ? null : bo.toString(StandardCharsets.ISO_8859_1);
    }
}
