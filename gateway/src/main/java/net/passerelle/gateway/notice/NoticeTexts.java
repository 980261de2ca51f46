package net.passerelle.gateway.notice;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;

/** The message bundles ({@code notice/messages_<lang>.properties}) and templates, loaded once. */
final class NoticeTexts {
    private final Map<Language, Properties> bundles = new EnumMap<>(Language.class);
    private final Map<Language, DateTimeFormatter> timeFormats = new EnumMap<>(Language.class);
    private final Map<Language, DateTimeFormatter> dateFormats = new EnumMap<>(Language.class);
    final String htmlTemplate;
    final String whenHtmlTemplate;
    final String textTemplate;

    NoticeTexts() {
        for (Language language : Language.values()) {
            Properties p = new Properties();
            try (Reader r = new InputStreamReader(open("messages_" + language.tag() + ".properties"), StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            bundles.put(language, p);
            timeFormats.put(language, DateTimeFormatter.ofPattern(get(language, "time.pattern"), language.locale()).withZone(ZoneOffset.UTC));
            dateFormats.put(language, DateTimeFormatter.ofPattern(get(language, "date.pattern"), language.locale()).withZone(ZoneOffset.UTC));
        }
        // every kind must be complete in every language: fail at start, not on a visitor's request
        for (Language language : Language.values()) {
            for (NoticeKind kind : NoticeKind.values()) {
                for (String part : new String[]{"label", "title", "message", "detail"}) {
                    get(language, kind.code() + "." + part);
                }
            }
        }
        htmlTemplate = resource("notice.html");
        whenHtmlTemplate = resource("when.html").strip();
        textTemplate = resource("notice.txt");
    }

    String get(Language language, String key) {
        String v = bundles.get(language).getProperty(key);
        if (v == null) {
            throw new IllegalStateException("notice message missing: " + language.tag() + " " + key);
        }
        return v;
    }

    String find(Language language, String key) {
        return bundles.get(language).getProperty(key);
    }

    DateTimeFormatter timeFormat(Language language) {
        return timeFormats.get(language);
    }

    DateTimeFormatter dateFormat(Language language) {
        return dateFormats.get(language);
    }

    private static InputStream open(String name) {
        InputStream in = NoticeTexts.class.getResourceAsStream("/notice/" + name);
        if (in == null) {
            throw new IllegalStateException("notice resource missing: /notice/" + name);
        }
        return in;
    }

    private static String resource(String name) {
        try (InputStream in = open(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Fills {@code {{name}}} placeholders in one pass (values are never rescanned, so a value containing
     * {@code {{…}}} stays literal). An unknown placeholder is an error.
     */
    static String fill(String template, Map<String, String> values) {
        StringBuilder sb = new StringBuilder(template.length() + 512);
        int i = 0;
        while (true) {
            int open = template.indexOf("{{", i);
            if (open < 0) {
                sb.append(template, i, template.length());
                return sb.toString();
            }
            int close = template.indexOf("}}", open + 2);
            if (close < 0) {
                throw new IllegalStateException("unclosed placeholder in notice template");
            }
            String name = template.substring(open + 2, close);
            String value = values.get(name);
            if (value == null) {
                throw new IllegalStateException("no value for placeholder {{" + name + "}}");
            }
            sb.append(template, i, open).append(value);
            i = close + 2;
        }
    }
}
