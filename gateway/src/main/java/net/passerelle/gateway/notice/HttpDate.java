package net.passerelle.gateway.notice;

import io.netty.handler.codec.DateFormatter;
import io.netty.util.AsciiString;

import java.util.Date;

/**
 * The {@code Date} header value (RFC 9110 §6.6.1) of the gateway's own answers, formatted once per second and
 * shared: the request path only compares the second and reads a field. Thread-safe.
 */
public final class HttpDate {
    private record Formatted(long second, AsciiString value) {
    }

    private volatile Formatted last = new Formatted(Long.MIN_VALUE, AsciiString.EMPTY_STRING);

    /** The header value for the second of {@code epochMillis}. */
    public AsciiString at(long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        Formatted f = last;
        if (f.second() != second) {
            f = new Formatted(second, new AsciiString(DateFormatter.format(new Date(second * 1000))));
            last = f;
        }
        return f.value();
    }
}
