package net.passerelle.gateway.uri;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The gateway's one percent-decoder, with PHP's semantics, because what matters is what the PHP backend will see.
 *
 * <p>PHP's {@code php_url_decode} (what fills {@code $_GET} and {@code $_POST}) and {@code php_raw_url_decode} turn
 * {@code %XX} (two hex digits, either case) into the byte XX and copy everything else as it is: a {@code %} not
 * followed by two hex digits is not an error, it stays in the result. {@code php_url_decode} also turns {@code '+'}
 * into a space; the raw variant (and web servers decoding a path) does not. Nothing here ever throws on its input:
 * a request target with a bad escape still gets classified and answered.
 *
 * <p><b>Input is a byte string.</b> Everything the gateway decodes comes off the wire as bytes read as ISO-8859-1
 * (Netty builds the request line that way; the body peek reads the body that way), so each char up to 0xff is one
 * byte and is copied as that byte: a raw UTF-8 {@code é} arrives as the two chars {@code \u00c3\u00a9} and stays
 * those two bytes. A char above 0xff cannot come from the wire; it is taken as text and written as its UTF-8 bytes.
 * Text that is not a byte string (a path in the configuration) goes through {@link #wireForm(String)} first.
 *
 * <p><b>Output</b> is the decoded bytes read as UTF-8, a malformed sequence becoming U+FFFD. Every comparison the
 * gateway makes on decoded text is with ASCII names (Piwigo's scripts and methods), and UTF-8 decoding maps a byte
 * string to an ASCII string only when it was exactly those ASCII bytes (overlong forms are malformed), so no byte
 * trick can turn into one of those names.
 */
public final class PercentDecoder {
    private PercentDecoder() {
    }

    /** PHP's {@code urldecode} of {@code s[from, to)}: {@code $_GET} / {@code $_POST} names and values. */
    public static String decodeForm(CharSequence s, int from, int to) {
        return decode(s, from, to, true);
    }

    /** PHP's {@code rawurldecode} of {@code s[from, to)}: a path, where {@code '+'} is a plus. */
    public static String decodePath(CharSequence s, int from, int to) {
        return decode(s, from, to, false);
    }

    public static String decodeForm(CharSequence s) {
        return decode(s, 0, s.length(), true);
    }

    public static String decodePath(CharSequence s) {
        return decode(s, 0, s.length(), false);
    }

    /** Whether {@code s[from, to)} has a {@code %} not followed by two hex digits (PHP keeps it; web servers refuse it). */
    public static boolean hasInvalidEscape(CharSequence s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == '%' && !isEscape(s, i, to)) {
                return true;
            }
        }
        return false;
    }

    /** Text (a configured path) as the byte string a client would send for it: its UTF-8 bytes, one char each. */
    public static String wireForm(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0x7f) {
                return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            }
        }
        return text;
    }

    /** The value of a hex digit, or -1. */
    public static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static boolean isEscape(CharSequence s, int i, int to) {
        // PHP: "len >= 2 && isxdigit(data[1]) && isxdigit(data[2])", len counting what follows the '%'
        return i + 2 < to && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0;
    }

    private static String decode(CharSequence s, int from, int to, boolean plusIsSpace) {
        int first = -1;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '%' || c > 0x7f || (plusIsSpace && c == '+')) {
                first = i;
                break;
            }
        }
        if (first < 0) {
            return s.subSequence(from, to).toString(); // the common case: plain ASCII, nothing to do
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < first; i++) {
            out.write(s.charAt(i));
        }
        for (int i = first; i < to; i++) {
            char c = s.charAt(i);
            if (c == '+' && plusIsSpace) {
                out.write(' ');
            } else if (c == '%' && isEscape(s, i, to)) {
                out.write(hex(s.charAt(i + 1)) << 4 | hex(s.charAt(i + 2)));
                i += 2;
            } else if (c <= 0xff) {
                out.write(c);
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))
                        ? i + 2 : i + 1;
                byte[] b = s.subSequence(i, end).toString().getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
                i = end - 1;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
