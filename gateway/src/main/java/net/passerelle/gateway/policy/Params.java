package net.passerelle.gateway.policy;

import net.passerelle.gateway.uri.PercentDecoder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Form or query parameters as PHP would register them in {@code $_GET} / {@code $_POST}, kept as the list of every
 * occurrence (PHP keeps the last one; the classifier looks at all of them, see {@link PiwigoProfile}).
 *
 * <p>A value is {@code null} when PHP would not give a plain string for that name (an array such as
 * {@code method[]=x}) or when the parameter is an evasion attempt the classifier refuses to interpret (a case variant
 * of {@code method}, a multipart header it cannot read unambiguously). Callers treat {@code null} as "not a known
 * read".
 *
 * <p>Name normalisation follows PHP's {@code php_register_variable_ex} (main/php_variables.c): the decoded name is cut
 * at the first NUL byte, leading spaces are dropped, {@code ' '} and {@code '.'} become {@code '_'} before the first
 * {@code '['}, a {@code '['} with a closing {@code ']'} makes an array (the name is the part before it), a lone
 * {@code '['} becomes {@code '_'}.
 */
final class Params {
    static final Params EMPTY = new Params(List.of(), List.of());

    private final List<String> names;
    private final List<String> values;

    private Params(List<String> names, List<String> values) {
        this.names = names;
        this.values = values;
    }

    /** Every value given for {@code name} (after PHP normalisation), in order; null entries as described above. */
    List<String> all(String name) {
        List<String> out = null;
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equals(name)) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(values.get(i));
            }
        }
        return out == null ? List.of() : out;
    }

    boolean isEmpty() {
        return names.isEmpty();
    }

    int size() {
        return names.size();
    }

    static final class Builder {
        private final List<String> names = new ArrayList<>();
        private final List<String> values = new ArrayList<>();

        /** Adds a raw (already percent-decoded) name and value, normalising the name like PHP. */
        void add(String rawName, String value) {
            String name = rawName;
            int nul = name.indexOf('\0');
            if (nul >= 0) {
                name = name.substring(0, nul);
            }
            int start = 0;
            while (start < name.length() && name.charAt(start) == ' ') {
                start++;
            }
            name = name.substring(start);
            boolean array = false;
            int bracket = name.indexOf('[');
            if (bracket >= 0) {
                if (name.indexOf(']', bracket) > bracket) {
                    array = true;
                    name = name.substring(0, bracket);
                } else {
                    name = name.substring(0, bracket) + '_' + name.substring(bracket + 1);
                }
            }
            int end = array ? name.length() : (bracket >= 0 ? bracket : name.length());
            StringBuilder sb = null;
            for (int i = 0; i < end; i++) {
                char c = name.charAt(i);
                if (c == ' ' || c == '.') {
                    if (sb == null) {
                        sb = new StringBuilder(name);
                    }
                    sb.setCharAt(i, '_');
                }
            }
            if (sb != null) {
                name = sb.toString();
            }
            if (name.isEmpty()) {
                return; // PHP ignores variables without a name
            }
            if (!name.equals(PiwigoProfile.METHOD_PARAM) && name.equalsIgnoreCase(PiwigoProfile.METHOD_PARAM)) {
                // PHP is case-sensitive, so "Method" is not Piwigo's method; but no honest client sends it, and a
                // differently configured backend might see it: record it as an uninterpretable method.
                names.add(PiwigoProfile.METHOD_PARAM);
                values.add(null);
                return;
            }
            names.add(name);
            values.add(array ? null : value);
        }

        /** Records an occurrence of {@code name} whose value cannot be trusted. */
        void addUninterpretable(String name) {
            names.add(name);
            values.add(null);
        }

        Params build() {
            return names.isEmpty() ? EMPTY : new Params(List.copyOf(names), new ArrayList<>(values));
        }
    }

    // ------------------------------------------------------------------ urlencoded (query strings and bodies)

    /**
     * Parses an {@code application/x-www-form-urlencoded} string (a query string or a body read as ISO-8859-1).
     * PHP splits on {@code arg_separator.input}, {@code "&"} by default; some installations add {@code ";"}, so pairs
     * that contain a {@code ';'} are also read split on it, and both readings are kept (more occurrences can only make
     * the classifier more careful).
     */
    static Params parseUrlEncoded(CharSequence s) {
        if (s == null || s.length() == 0) {
            return EMPTY;
        }
        Builder b = new Builder();
        parseUrlEncoded(s, 0, s.length(), b);
        return b.build();
    }

    static void parseUrlEncoded(CharSequence s, int from, int to, Builder b) {
        int start = from;
        for (int i = from; i <= to; i++) {
            if (i == to || s.charAt(i) == '&') {
                if (i > start) {
                    addPair(s, start, i, b);
                    boolean semicolon = false;
                    for (int j = start; j < i; j++) {
                        if (s.charAt(j) == ';') {
                            semicolon = true;
                            break;
                        }
                    }
                    if (semicolon) {
                        int sub = start;
                        for (int j = start; j <= i; j++) {
                            if (j == i || s.charAt(j) == ';') {
                                if (j > sub) {
                                    addPair(s, sub, j, b);
                                }
                                sub = j + 1;
                            }
                        }
                    }
                }
                start = i + 1;
            }
        }
    }

    private static void addPair(CharSequence s, int from, int to, Builder b) {
        int eq = -1;
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == '=') {
                eq = i;
                break;
            }
        }
        String name = PercentDecoder.decodeForm(s, from, eq < 0 ? to : eq);
        String value = eq < 0 ? "" : PercentDecoder.decodeForm(s, eq + 1, to);
        b.add(name, value);
    }

    // ------------------------------------------------------------------ multipart/form-data

    /**
     * Parses a complete {@code multipart/form-data} body the way PHP's {@code main/rfc1867.c} does, keeping only the
     * parts' names and values. Returns null when the body is not well formed (no opening or closing delimiter, a part
     * without a blank line after its headers): the caller must then assume the worst.
     */
    static Params parseMultipart(byte[] body, int length, String boundary) {
        byte[] delim = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int pos = firstDelimiter(body, length, delim);
        if (pos < 0) {
            return null;
        }
        byte[] next = new byte[delim.length + 1];
        next[0] = '\n';
        System.arraycopy(delim, 0, next, 1, delim.length);
        Builder b = new Builder();
        while (true) {
            pos += delim.length;
            if (pos + 1 < length && body[pos] == '-' && body[pos + 1] == '-') {
                return b.build(); // closing delimiter
            }
            int eol = indexOf(body, length, pos, (byte) '\n');
            if (eol < 0) {
                return null;
            }
            List<String> headers = new ArrayList<>(2);
            pos = readPartHeaders(body, length, eol + 1, headers);
            if (pos < 0) {
                return null;
            }
            int valueEnd = indexOf(body, length, pos, next);
            if (valueEnd < 0) {
                return null;
            }
            addPart(headers, partValue(body, pos, valueEnd), b);
            pos = valueEnd + 1;
        }
    }

    /** PHP skips a preamble: the first line that starts with the delimiter opens the first part. -1: there is none. */
    private static int firstDelimiter(byte[] body, int length, byte[] delim) {
        int pos = 0;
        while (!startsWith(body, length, pos, delim)) {
            int nl = indexOf(body, length, pos, (byte) '\n');
            if (nl < 0) {
                return -1;
            }
            pos = nl + 1;
        }
        return pos;
    }

    /**
     * Reads a part's header lines from {@code pos} up to the empty line into {@code headers}; a continuation line
     * (leading blank) belongs to the previous header. Returns where the value starts, -1 when no empty line ends them.
     */
    private static int readPartHeaders(byte[] body, int length, int pos, List<String> headers) {
        while (true) {
            int lineEnd = indexOf(body, length, pos, (byte) '\n');
            if (lineEnd < 0) {
                return -1;
            }
            int contentEnd = lineEnd > pos && body[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            String line = new String(body, pos, contentEnd - pos, StandardCharsets.ISO_8859_1);
            pos = lineEnd + 1;
            if (line.isEmpty()) {
                return pos;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !headers.isEmpty()) {
                headers.set(headers.size() - 1, headers.get(headers.size() - 1) + line);
            } else {
                headers.add(line);
            }
        }
    }

    /** The value between {@code from} and the line break before the next delimiter at {@code delimiterLine}. */
    private static String partValue(byte[] body, int from, int delimiterLine) {
        int end = delimiterLine;
        if (end > from && body[end - 1] == '\r') {
            end--;
        }
        return new String(body, from, end - from, StandardCharsets.UTF_8);
    }

    private static void addPart(List<String> headers, String value, Builder b) {
        List<String> partNames = new ArrayList<>(1);
        boolean doubtful = false;
        for (String h : headers) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                if (h.toLowerCase(Locale.ROOT).contains(PiwigoProfile.METHOD_PARAM)) {
                    doubtful = true;
                }
                continue;
            }
            String key = h.substring(0, colon).trim();
            if (!key.equalsIgnoreCase("content-disposition")) {
                continue;
            }
            String cd = h.substring(colon + 1);
            if (cd.indexOf('\\') >= 0) {
                doubtful = true; // escapes inside quoted names: PHP versions disagree, so do not guess
            }
            for (String param : splitParams(cd)) {
                int eq = param.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String k = param.substring(0, eq).trim();
                if (k.equalsIgnoreCase("name")) {
                    partNames.add(unquote(param.substring(eq + 1).trim()));
                } else if (!k.equalsIgnoreCase("filename")
                        && k.toLowerCase(Locale.ROOT).startsWith("name")) {
                    doubtful = true; // name*=, name0=...: RFC 2231 forms PHP does not read the way we would
                }
            }
            if (partNames.isEmpty() && cd.toLowerCase(Locale.ROOT).contains(PiwigoProfile.METHOD_PARAM)) {
                doubtful = true;
            }
        }
        if (doubtful) {
            b.addUninterpretable(PiwigoProfile.METHOD_PARAM);
        }
        for (String n : partNames) {
            b.add(n, partNames.size() > 1 ? null : value);
        }
    }

    private static List<String> splitParams(String cd) {
        List<String> out = new ArrayList<>(3);
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < cd.length(); i++) {
            char c = cd.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ';' && !quoted) {
                out.add(cd.substring(start, i));
                start = i + 1;
            }
        }
        out.add(cd.substring(start));
        return out;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.charAt(0) == '"') {
            int end = v.indexOf('"', 1);
            return end < 0 ? v.substring(1) : v.substring(1, end);
        }
        return v;
    }

    private static boolean startsWith(byte[] a, int length, int pos, byte[] prefix) {
        if (pos + prefix.length > length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (a[pos + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] a, int length, int from, byte b) {
        for (int i = from; i < length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] a, int length, int from, byte[] needle) {
        for (int i = from; i + needle.length <= length; i++) {
            if (startsWith(a, length, i, needle)) {
                return i;
            }
        }
        return -1;
    }
}
