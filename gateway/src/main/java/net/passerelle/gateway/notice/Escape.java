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
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep;
            switch (c) {
                case '&' -> rep = "&amp;";
                case '<' -> rep = "&lt;";
                case '>' -> rep = "&gt;";
                case '"' -> rep = "&quot;";
                case '\'' -> rep = "&#039;";
                default -> {
                    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F || c == '\uFFFE' || c == '\uFFFF') {
                        rep = "";
                    } else {
                        rep = null;
                    }
                }
            }
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

    /** Escapes the inside of a JSON string literal (RFC 8259), also U+2028/U+2029 and {@code < > &} (inert if ever embedded in a page). */
    static String json(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep;
            if (c == '"') {
                rep = "\\\"";
            } else if (c == '\\') {
                rep = "\\\\";
            } else if (c < 0x20 || c == '\u2028' || c == '\u2029' || c == 0x7F || c == '<' || c == '>' || c == '&') {
                rep = String.format("\\u%04x", (int) c);
            } else {
                rep = null;
            }
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

    /** Plain text: control characters (line breaks included: no forged lines) become spaces. */
    static String text(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char rep = (c < 0x20 || c == 0x7F) ? ' ' : 0;
            if (rep != 0) {
                if (sb == null) {
                    sb = new StringBuilder(s).delete(i, s.length());
                }
                sb.append(rep);
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
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
