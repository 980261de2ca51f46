package net.passerelle.gateway.notice;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static net.passerelle.gateway.notice.CompiledNotice.SLOT_REF;
import static net.passerelle.gateway.notice.CompiledNotice.SLOT_REQ;
import static net.passerelle.gateway.notice.CompiledNotice.SLOT_RETRY;

/**
 * Writes a notice's body for one {@link NoticeKey}: the texts in the chosen language, the group's message, the
 * window's end in words, each escaped for its format, with slots where the per-request values go. Runs once per key
 * (the renderer caches the result), so it may take its time and allocate freely. Thread-safe.
 */
final class NoticeCompiler {
    private final NoticeTexts texts = new NoticeTexts();
    private final JsonFactory jsonFactory = new JsonFactory().setCharacterEscapes(new HtmlSafeJsonEscapes());

    /** The texts of one notice, unescaped; the detail may hold {@link CompiledNotice#SLOT_REF}. */
    private record Parts(String label, String title, String message, Language messageLanguage, String detail,
                         String since, String when, String footerStatus, String requestIdLabel) {
        String full() {
            return message + " " + detail + (since == null ? "" : " " + since) + (when == null ? "" : " " + when);
        }
    }

    CompiledNotice compile(NoticeKey k) {
        Language lang = k.language();
        String code = k.kind().code();
        String message = k.override() != null ? Escape.stripMarkers(k.override()) : texts.get(lang, code + ".message");
        Language messageLanguage = k.override() != null ? k.overrideLanguage() : lang;
        String detail = texts.get(lang, code + ".detail");
        if (detail.contains("{ref}")) {
            if (k.hasRef()) {
                detail = detail.replace("{ref}", String.valueOf(SLOT_REF));
            } else {
                String noRef = texts.find(lang, code + ".detail.noref");
                detail = noRef != null ? noRef : detail.replace("{ref}", "");
            }
        }
        int status = k.kind().statusCode();
        String footerStatus = texts.get(lang, status < 400 ? "footer.statusOk" : "footer.status").replace("{status}", Integer.toString(status));
        Parts p = new Parts(texts.get(lang, code + ".label"), texts.get(lang, code + ".title"), message, messageLanguage,
                detail, since(k), when(k), footerStatus, texts.get(lang, "footer.requestId"));
        String body = switch (k.format()) {
            case HTML -> html(k, p);
            case TEXT -> text(k, p);
            case JSON -> json(k, p);
            case PIWIGO_JSON -> piwigoJson(k, p);
            case PIWIGO_XML -> piwigoXml(k, p);
        };
        return CompiledNotice.of(body);
    }

    /** "Read-only since 08:02 UTC.", with the date when it was not today; null when not announced. */
    private String since(NoticeKey k) {
        if (k.sinceMillis() == NoticeKey.NO_END) {
            return null;
        }
        Language lang = k.language();
        Instant since = Instant.ofEpochMilli(k.sinceMillis());
        return texts.get(lang, k.sinceSameDay() ? "since.today" : "since.otherDay")
                .replace("{time}", texts.timeFormat(lang).format(since))
                .replace("{date}", texts.dateFormat(lang).format(since));
    }

    private String when(NoticeKey k) {
        if (k.endsMillis() == NoticeKey.NO_END) {
            return null;
        }
        Language lang = k.language();
        if (k.minutesLeft() < 0) {
            return texts.get(lang, "when.past");
        }
        Instant end = NoticeKey.displayedEnd(k.endsMillis());
        long m = k.minutesLeft();
        String relative;
        if (m == 0) {
            relative = texts.get(lang, "relative.underMinute");
        } else if (m == 1) {
            relative = texts.get(lang, "relative.minute");
        } else if (m <= 90) {
            relative = texts.get(lang, "relative.minutes").replace("{n}", Long.toString(m));
        } else if (m < 48 * 60) {
            relative = texts.get(lang, "relative.hours").replace("{n}", Long.toString((m + 30) / 60));
        } else {
            relative = texts.get(lang, "relative.days").replace("{n}", Long.toString((m + 720) / 1440));
        }
        String pattern = texts.get(lang, k.sameDay() ? "when.today" : "when.otherDay");
        return pattern.replace("{time}", texts.timeFormat(lang).format(end))
                .replace("{date}", texts.dateFormat(lang).format(end))
                .replace("{relative}", relative);
    }

    private String html(NoticeKey k, Parts p) {
        Map<String, String> v = new HashMap<>();
        v.put("lang", k.language().tag());
        v.put("title", Escape.html(p.title()));
        v.put("label", Escape.html(p.label()));
        v.put("heading", Escape.html(p.title()));
        v.put("messageLang", p.messageLanguage() != k.language() ? " lang=\"" + p.messageLanguage().tag() + "\"" : "");
        v.put("message", Escape.html(p.message()));
        v.put("detail", withSlot(Escape.html(p.detail()), "<span class=\"ref\">", "</span>"));
        v.put("when", whenHtml(p.since()) + whenHtml(p.when()));
        StringBuilder footer = new StringBuilder("<span>").append(Escape.html(p.footerStatus())).append("</span>");
        if (k.hasReq()) {
            footer.append("<span>").append(Escape.html(p.requestIdLabel())).append(" <span class=\"ref\">")
                    .append(SLOT_REQ).append("</span></span>");
        }
        v.put("footer", footer.toString());
        return NoticeTexts.fill(texts.htmlTemplate, v);
    }

    /** One paragraph of the time box, or nothing. */
    private String whenHtml(String sentence) {
        return sentence == null ? "" : NoticeTexts.fill(texts.whenHtmlTemplate, Map.of("when", Escape.html(sentence)));
    }

    private String text(NoticeKey k, Parts p) {
        Map<String, String> v = new HashMap<>();
        v.put("heading", Escape.text(p.title()));
        v.put("message", Escape.text(p.message()));
        v.put("detail", Escape.text(p.detail()));
        v.put("when", (p.since() == null ? "" : Escape.text(p.since()) + "\n")
                + (p.when() == null ? "" : Escape.text(p.when()) + "\n"));
        String footer = Escape.text(p.footerStatus()) + (k.hasReq() ? " \u00b7 " + Escape.text(p.requestIdLabel()) + " " + SLOT_REQ : "");
        v.put("footer", footer);
        return NoticeTexts.fill(texts.textTemplate, v);
    }

    private String json(NoticeKey k, Parts p) {
        return writeJson(g -> {
            g.writeStartObject();
            g.writeStringField("error", k.kind().code());
            g.writeNumberField("status", k.kind().statusCode());
            g.writeStringField("title", p.title());
            g.writeStringField("message", p.full());
            if (k.hasRetry()) {
                g.writeFieldName("retryAfterSeconds");
                g.writeRawValue(String.valueOf(SLOT_RETRY));
            }
            if (k.endsMillis() != NoticeKey.NO_END) {
                g.writeStringField("until", Instant.ofEpochMilli(k.endsMillis()).toString());
            }
            if (k.sinceMillis() != NoticeKey.NO_END) {
                g.writeStringField("readOnlySince", Instant.ofEpochMilli(k.sinceMillis()).toString());
            }
            if (k.hasRef()) {
                g.writeStringField("referenceId", String.valueOf(SLOT_REF));
            }
            if (k.hasReq()) {
                g.writeStringField("requestId", String.valueOf(SLOT_REQ));
            }
            g.writeEndObject();
        });
    }

    private String piwigoJson(NoticeKey k, Parts p) {
        return writeJson(g -> {
            g.writeStartObject();
            g.writeStringField("stat", "fail");
            g.writeNumberField("err", k.kind().statusCode());
            g.writeStringField("message", p.full());
            if (k.hasRef()) {
                g.writeStringField("referenceId", String.valueOf(SLOT_REF));
            }
            g.writeEndObject();
        });
    }

    /** Piwigo's REST error document, byte for byte as its rest_encoder.php writes it. */
    private String piwigoXml(NoticeKey k, Parts p) {
        return "<?xml version=\"1.0\"?>\n<rsp stat=\"fail\">\n\t<err code=\"" + k.kind().statusCode() + "\" msg=\""
                + Escape.html(p.full().replace('\n', ' ')) + "\" />\n</rsp>";
    }

    private static String withSlot(String escaped, String before, String after) {
        int i = escaped.indexOf(SLOT_REF);
        return i < 0 ? escaped : escaped.substring(0, i) + before + SLOT_REF + after + escaped.substring(i + 1);
    }

    /**
     * JSON that stays inert if a client ever shows it in a page: {@code < > &} and U+2028/U+2029 as {@code \\uXXXX}.
     */
    private static final class HtmlSafeJsonEscapes extends CharacterEscapes {
        private final int[] ascii;

        HtmlSafeJsonEscapes() {
            ascii = standardAsciiEscapesForJSON();
            ascii['<'] = ESCAPE_STANDARD;
            ascii['>'] = ESCAPE_STANDARD;
            ascii['&'] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch == 0x2028 ? LS : ch == 0x2029 ? PS : null;
        }

        private static final SerializableString LS = new SerializedString("\\u2028");
        private static final SerializableString PS = new SerializedString("\\u2029");
    }

    private interface JsonBody {
        void write(JsonGenerator g) throws IOException;
    }

    private String writeJson(JsonBody body) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = jsonFactory.createGenerator(w)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}
