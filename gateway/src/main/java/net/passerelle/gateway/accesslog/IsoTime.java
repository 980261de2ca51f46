package net.passerelle.gateway.accesslog;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A moment as {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} writes it in UTC ({@code 2026-12-01T23:36:53.3118984Z}:
 * the fraction as long as its last non-zero digit, none at all on a whole second), without a formatter per line: the
 * date and time up to the second are formatted once per second and kept, and only the fraction is written each time.
 * One instance per writing thread; it is not thread-safe.
 */
final class IsoTime {
    private static final int PREFIX = "2026-12-01T23:36:53".length();

    /** Room for any year {@code LocalDateTime} has (nine digits and a sign), a fraction and the zone. */
    private final char[] chars = new char[48];
    private long second = Long.MIN_VALUE;

    /** The text's characters, valid up to the length {@link #format} returned and until its next call. */
    char[] chars() {
        return chars;
    }

    /** Writes the moment into {@link #chars()}; returns its length. */
    int format(long epochSecond, int nano) {
        if (epochSecond != second) {
            String prefix = DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC));
            if (prefix.length() != PREFIX) {
                // Years past 9999 or before 0000 are longer: rare enough to format whole.
                second = Long.MIN_VALUE;
                String whole = whole(epochSecond, nano);
                whole.getChars(0, whole.length(), chars, 0);
                return whole.length();
            }
            prefix.getChars(0, PREFIX, chars, 0);
            second = epochSecond;
        }
        int n = PREFIX;
        if (nano != 0) {
            chars[n++] = '.';
            int digits = 9;
            while (nano % 10 == 0) {
                nano /= 10;
                digits--;
            }
            for (int i = n + digits - 1; i >= n; i--) {
                chars[i] = (char) ('0' + nano % 10);
                nano /= 10;
            }
            n += digits;
        }
        chars[n++] = 'Z';
        return n;
    }

    private static String whole(long epochSecond, int nano) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(LocalDateTime.ofEpochSecond(epochSecond, nano, ZoneOffset.UTC).atOffset(ZoneOffset.UTC));
    }
}
