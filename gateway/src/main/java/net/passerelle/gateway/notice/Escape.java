package net.passerelle.gateway.notice;

/** Escapers for the notice formats. */
final class Escape {
    private Escape() {
    }

    /** Private-use code points the compiled templates use as slot markers; never allowed in content. */
    static final char SLOT_FIRST = '\uE000';
    static final char SLOT_LAST = '\uE00F';

    static boolean isMarker(char c) {
        return c >= SLOT_FIRST && c <= SLOT_LAST;
    }

    /** Characters that are safe raw in every format (the usual shape of request and reference ids). */
    static boolean isPlainAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':' || c == '~' || c == '/' || c == '+' || c == '=')) {
                return false;
            }
        }
        return true;
    }

    /**
     * HTML (text and attribute values) and XML escaping: {@code & < > " '}; control characters other than tab and
     * line feed, which XML 1.0 forbids, are dropped.
     */
    static String html(String s) {
        return escape(s, Escape::htmlReplacement);
    }

    /** Escapes the inside of a JSON string literal (RFC 8259), also U+2028/U+2029 and {@code < > &} (inert if ever embedded in a page). */
    static String json(String s) {
        return escape(s, Escape::jsonReplacement);
    }

    /** Plain text: control characters (line breaks included: no forged lines) become spaces. */
    static String text(String s) {
        return escape(s, c -> c < 0x20 || c == 0x7F ? " " : null);
    }

    /** Copies {@code s} only when some character has a replacement (null: kept as it is). */
    private static String escape(String s, java.util.function.IntFunction<String> replacement) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = replacement.apply(c);
            if (rep != null) {
                if (sb == null) {
                    sb = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                sb.append(rep);
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static String htmlReplacement(int c) {
        return switch (c) {
            case '&' -> "&amp;";
            case '<' -> "&lt;";
            case '>' -> "&gt;";
            case '"' -> "&quot;";
            case '\'' -> "&#039;";
            default -> (c < 0x20 && c != '\t' && c != '\n') || c == 0x7F || c == '\uFFFE' || c == '\uFFFF' ? "" : null;
        };
    }

    private static String jsonReplacement(int c) {
        if (c == '"') {
            return "\\\"";
        }
        if (c == '\\') {
            return "\\\\";
        }
        if (c < 0x20 || c == '\u2028' || c == '\u2029' || c == 0x7F || c == '<' || c == '>' || c == '&') {
            return String.format("\\u%04x", c);
        }
        return null;
    }

    /** Replaces slot markers by U+FFFD in text that does not come from the bundles (a group's message override). */
    static String stripMarkers(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (isMarker(s.charAt(i))) {
                StringBuilder sb = new StringBuilder(s.length());
                for (int j = 0; j < s.length(); j++) {
                    char c = s.charAt(j);
                    sb.append(isMarker(c) ? '\uFFFD' : c);
                }
                return sb.toString();
            }
        }
        return s;
    }

    static String forFormat(NoticeFormat format, String s) {
        return switch (format) {
            case HTML, PIWIGO_XML -> html(s);
            case JSON, PIWIGO_JSON -> json(s);
            case TEXT -> text(s);
        };
    }
}
