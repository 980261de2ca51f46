package net.passerelle.gateway.http;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.Arrays;
import java.util.Calendar;
import java.util.Date;

/**
 * The storage of {@link CompactHttpHeaders}: names and values in two parallel arrays in arrival order, found by a
 * case-insensitive scan; and the typed reads every header map has, written once over that scan.
 */
abstract class HeaderArrays extends HttpHeaders {
    CharSequence[] names;
    CharSequence[] values;
    int size;
    /** Whether values are checked as they are added, as Netty's default headers check them (trailers). */
    final boolean validateValues;

    private static final CharSequence[] NONE = {};

    /** With {@code capacity} 0, the arrays are made by the first header added. */
    HeaderArrays(int capacity, boolean validateValues) {
        this.validateValues = validateValues;
        names = capacity == 0 ? NONE : new CharSequence[Math.max(2, capacity)];
        values = capacity == 0 ? NONE : new CharSequence[names.length];
    }

    // ---------------------------------------------------------------- the scan

    final int indexOf(CharSequence name, int from) {
        int length = name.length();
        for (int i = from; i < size; i++) {
            CharSequence n = names[i];
            if (n.length() == length && AsciiString.contentEqualsIgnoreCase(n, name)) {
                return i;
            }
        }
        return -1;
    }

    final void append(CharSequence name, CharSequence value) {
        if (size == names.length) {
            int grown = Math.max(4, size * 2);
            names = Arrays.copyOf(names, grown);
            values = Arrays.copyOf(values, grown);
        }
        names[size] = name;
        values[size] = value;
        size++;
    }

    final void removeAt(int i) {
        int tail = size - i - 1;
        if (tail > 0) {
            System.arraycopy(names, i + 1, names, i, tail);
            System.arraycopy(values, i + 1, values, i, tail);
        }
        size--;
        names[size] = null;
        values[size] = null;
    }

    static CharSequence validName(CharSequence name) {
        if (name == null || name.length() == 0 || HttpHeaderValidationUtil.validateToken(name) != -1) {
            throw new IllegalArgumentException("a header name must be a token: '" + name + "'");
        }
        return name;
    }

    final CharSequence valueOf(Object value) {
        CharSequence v = text(value);
        if (validateValues) {
            int bad = HttpHeaderValidationUtil.validateValidHeaderValue(v);
            if (bad != -1) {
                throw new IllegalArgumentException("a header value contains a prohibited character "
                        + (int) v.charAt(bad) + " at index " + bad);
            }
        }
        return v;
    }

    private static CharSequence text(Object value) {
        if (value instanceof CharSequence cs) {
            return cs;
        }
        if (value instanceof Date d) {
            return DateFormatter.format(d);
        }
        if (value instanceof Calendar c) {
            return DateFormatter.format(c.getTime());
        }
        return String.valueOf(value);
    }

    // ---------------------------------------------------------------- typed reads

    @Override
    public Integer getInt(CharSequence name) {
        String v = get(name);
        try {
            return v == null ? null : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer v = getInt(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Short getShort(CharSequence name) {
        String v = get(name);
        try {
            return v == null ? null : Short.parseShort(v.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short v = getShort(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        String v = get(name);
        Date d = v == null ? null : DateFormatter.parseHttpDate(v);
        return d == null ? null : d.getTime();
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long v = getTimeMillis(name);
        return v == null ? defaultValue : v;
    }
}
