package net.passerelle.gateway.accesslog;

import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Takes credentials out of what the access log writes: the values of query parameters named like credentials
 * (Piwigo's {@code pwg_token}, {@code password}, {@code api_key}, …) become {@value #MASK}. Headers that carry
 * credentials (Cookie, Authorization) are never written at all. Pure: a target in, a target out.
 *
 * <p>"Named like" is by words: a parameter is masked when its name is one of the configured names or has one as a
 * run of whole words, words being split at {@code _ - . [ ]} and other punctuation and at a lower-to-upper case
 * change. So {@code new_password}, {@code access_token}, {@code user[password]}, {@code passwordConf} and
 * {@code password[]} are masked, while {@code monkey}, {@code keys} and {@code keyword} are not.
 */
public final class Redaction {
    public static final String MASK = "[redacted]";
    public static final Set<String> DEFAULT_NAMES = Set.of("pwg_token", "password", "pwd", "api_key", "key", "token");

    private final Set<String> names;
    /** The names as {@code _word_}, to find them as whole words in {@code _words_} without making them per line. */
    private final String[] bounded;

    public Redaction(Collection<String> names) {
        this.names = names.stream().map(n -> words(n, false)).filter(n -> !n.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        this.bounded = this.names.stream().map(n -> "_" + n + "_").toArray(String[]::new);
    }

    /**
     * The request target (or a Referer URL) with credential values masked; the rest unchanged, byte for byte.
     * Names are compared case-insensitively as sent, and also percent-decoded ({@code pass%77ord}) so an escape
     * cannot hide one.
     */
    public String target(String target) {
        if (target == null) {
            return null;
        }
        int query = target.indexOf('?');
        if (query < 0) {
            return target;
        }
        int fragment = target.indexOf('#', query);
        int end = fragment < 0 ? target.length() : fragment;
        StringBuilder out = null;
        int copied = 0;
        int start = query + 1;
        while (start < end) {
            // Pairs end at '&', or at ';' where PHP is set to split on it too (arg_separator.input): a name is looked
            // for after either, and a credential's value is masked up to the next '&', which covers both readings.
            int amp = target.indexOf('&', start);
            int ampStop = amp < 0 || amp > end ? end : amp;
            int semi = target.indexOf(';', start);
            int stop = semi < 0 || semi > ampStop ? ampStop : semi;
            int eq = target.indexOf('=', start);
            if (eq >= 0 && eq + 1 < ampStop && eq < stop && isCredential(target.substring(start, eq))) {
                if (out == null) {
                    out = new StringBuilder(target.length());
                }
                out.append(target, copied, eq + 1).append(MASK);
                copied = ampStop;
                stop = ampStop;
            }
            start = stop + 1;
        }
        return out == null ? target : out.append(target, copied, target.length()).toString();
    }

    private boolean isCredential(String rawName) {
        String name = rawName.indexOf('%') >= 0 || rawName.indexOf('+') >= 0 ? decode(rawName) : rawName;
        return hasName(words(name, false)) || hasName(words(name, true));
    }

    private boolean hasName(String words) {
        if (names.contains(words)) {
            return true;
        }
        String all = "_" + words + "_";
        for (String n : bounded) {
            if (all.contains(n)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The name's words, lower case, joined by {@code _}: {@code user[newPassword]} is {@code user_newpassword}, or
     * {@code user_new_password} when a lower-to-upper case change splits words too ({@code PassWord} must still
     * read as {@code password}, hence both).
     */
    private static String words(String name, boolean camel) {
        StringBuilder b = new StringBuilder(name.length() + 4);
        boolean boundary = false;
        char previous = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!Character.isLetterOrDigit(c)) {
                boundary = true;
            } else {
                if (boundary || (camel && Character.isLowerCase(previous) && Character.isUpperCase(c))) {
                    if (b.length() > 0) {
                        b.append('_');
                    }
                    boundary = false;
                }
                b.append(Character.toLowerCase(c));
            }
            previous = c;
        }
        return b.toString();
    }

    private static String decode(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                b.append((char) (hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2))));
                i += 2;
            } else {
                b.append(c == '+' ? ' ' : c);
            }
        }
        return b.toString();
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
