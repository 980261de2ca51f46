package net.passerelle.gateway.http;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: 128 random bits as 32 hex digits, unique enough to find one request in a day of logs. */
public final class RequestIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    public static String next() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = r.nextLong();
        long lo = r.nextLong();
        char[] out = new char[32];
        for (int i = 15; i >= 0; i--) {
            out[i] = HEX[(int) (hi & 0xf)];
            hi >>>= 4;
            out[16 + i] = HEX[(int) (lo & 0xf)];
            lo >>>= 4;
        }
        return new String(out);
    }
}
