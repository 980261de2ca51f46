package net.passerelle.gateway.notice;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Renders notices: the page or document a visitor gets instead of a backend answer.
 *
 * <p>Templates and messages are loaded once. Everything a body says except the per-request values (reference id,
 * request id, retry delay) is compiled once per (kind, format, language, message override, end time to the minute,
 * minutes left, which optional values are present) into static UTF-8 segments with slots, and cached (bounded);
 * rendering a request is then a few buffer copies into one exactly-sized buffer. Thread-safe.
 */
public final class NoticeRenderer {
    static final char SLOT_REF = '\uE000';
    static final char SLOT_REQ = '\uE001';
    static final char SLOT_RETRY = '\uE002';

    private static final AsciiString NO_STORE = AsciiString.cached("no-store");
    private static final AsciiString NOSNIFF = AsciiString.cached("nosniff");
    private static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    private static final AsciiString X_CONTENT_TYPE_OPTIONS = AsciiString.cached("x-content-type-options");
    private static final AsciiString ALLOW_VALUE = AsciiString.cached("GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE");
    /** The HTML loads nothing and runs nothing; say so to the browser as well. */
    private static final AsciiString HTML_CSP = AsciiString.cached(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    private static final HttpHeadersFactory HEADERS = net.passerelle.gateway.http.CompactHttpHeaders.FACTORY;
    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);
    private static final int MAX_REQUEST_ID_LENGTH = 200;

    private final Clock clock;
    private final NoticeTexts texts;
    private final Cache<Key, Compiled> cache;
    private final Function<Key, Compiled> compiler = this::compile;
    private final JsonFactory jsonFactory = new JsonFactory().setCharacterEscapes(new HtmlSafeJsonEscapes());

    public NoticeRenderer(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.texts = new NoticeTexts();
        this.cache = Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfterAccess(Duration.ofMinutes(30))
                .recordStats()
                .build();
    }

    /** The compiled-template cache, for its metrics (hit rate, size, evictions). */
    public Cache<?, ?> cache() {
        return cache;
    }

    /**
     * Renders one notice as a complete response (status, headers, body) that can be written to a channel as is.
     * The caller owns the response (and its buffer). For a HEAD request the body is empty and {@code Content-Length}
     * is the length the GET body would have.
     */
    public FullHttpResponse render(NoticeContext ctx, NoticeFormat format, Language language, ByteBufAllocator alloc,
                                   boolean headRequest) {
        Objects.requireNonNull(ctx, "ctx");
        if (format == null) {
            format = NoticeFormat.HTML;
        }
        if (language == null) {
            language = Language.EN;
        }
        NoticeKind kind = ctx.kind();
        Instant now = clock.instant();

        // the group's message, in the chosen language or else in English
        String override = null;
        Language overrideLanguage = null;
        Map<String, String> overrides = ctx.messageOverride();
        if (overrides != null && !overrides.isEmpty()) {
            override = nonBlank(overrides.get(language.tag()));
            overrideLanguage = language;
            if (override == null && language != Language.EN) {
                override = nonBlank(overrides.get(Language.EN.tag()));
                overrideLanguage = Language.EN;
            }
            if (override == null) {
                overrideLanguage = null;
            }
        }

        long endsMinute = Long.MIN_VALUE;
        long minutesLeft = 0;
        boolean sameDay = true;
        Integer retry = ctx.retryAfterSeconds();
        Instant endsAt = ctx.endsAt();
        if (endsAt != null) {
            endsMinute = Math.floorDiv(endsAt.getEpochSecond() + 30, 60);
            long secondsLeft = endsAt.getEpochSecond() - now.getEpochSecond() + (endsAt.getNano() > now.getNano() ? 1 : 0);
            minutesLeft = secondsLeft <= 0 ? -1 : secondsLeft < 60 ? 0 : (secondsLeft + 59) / 60;
            sameDay = Math.floorDiv(endsMinute, 1440) == Math.floorDiv(now.getEpochSecond(), 86400);
            if (retry == null) {
                retry = (int) Math.max(0, Math.min(Integer.MAX_VALUE, secondsLeft));
            }
        }
        if (retry != null && retry < 0) {
            retry = 0;
        }
        String referenceId = nonBlank(ctx.referenceId());
        String requestId = validRequestId(ctx.requestId());

        Key key = new Key(kind, format, language, override, overrideLanguage, endsMinute, minutesLeft, sameDay,
                referenceId != null, requestId != null, retry != null);
        Compiled compiled = cache.get(key, compiler);

        String ref = referenceId == null ? null : slotValue(format, referenceId);
        String req = requestId == null ? null : slotValue(format, requestId);
        String retryText = retry == null ? null : Integer.toString(retry);
        int length = compiled.length(ref, req, retryText);

        ByteBuf body;
        if (headRequest) {
            body = Unpooled.EMPTY_BUFFER;
        } else {
            body = alloc.buffer(length, length);
            try {
                compiled.write(body, ref, req, retryText);
            } catch (RuntimeException e) {
                body.release();
                throw e;
            }
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, kind.status(), body, HEADERS, TRAILERS);
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, format.contentType());
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        h.set(HttpHeaderNames.CACHE_CONTROL, NO_STORE);
        h.set(HttpHeaderNames.CONTENT_LANGUAGE, language.headerValue());
        h.set(X_CONTENT_TYPE_OPTIONS, NOSNIFF);
        if (format == NoticeFormat.HTML) {
            h.set(HttpHeaderNames.CONTENT_SECURITY_POLICY, HTML_CSP);
        }
        if (retry != null && kind.sendsRetryAfter()) {
            h.setInt(HttpHeaderNames.RETRY_AFTER, retry);
        }
        if (kind == NoticeKind.METHOD_NOT_ALLOWED) {
            h.set(HttpHeaderNames.ALLOW, ALLOW_VALUE);
        }
        if (requestId != null) {
            h.set(X_REQUEST_ID, requestId);
        }
        return response;
    }

    /** Number of compiled bodies held (for tests and metrics). */
    public long cachedBodies() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** A request id goes into a header verbatim: visible ASCII only, bounded; anything else is dropped. */
    static String validRequestId(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_REQUEST_ID_LENGTH) {
            return null;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                return null;
            }
        }
        return id;
    }

    private static String slotValue(NoticeFormat format, String raw) {
        return Escape.isPlainAscii(raw) ? raw : Escape.forFormat(format, raw);
    }

    // ---------------------------------------------------------------------------------------------------------
    // compilation

    record Key(NoticeKind kind, NoticeFormat format, Language language, String override, Language overrideLanguage,
               long endsMinute, long minutesLeft, boolean sameDay, boolean hasRef, boolean hasReq, boolean hasRetry) {
    }

    /** The texts of one notice, unescaped; the detail may hold {@link #SLOT_REF}. */
    private record Parts(String label, String title, String message, Language messageLanguage, String detail,
                         String when, String footerStatus, String requestIdLabel) {
        String full() {
            return message + " " + detail + (when == null ? "" : " " + when);
        }
    }

    private Compiled compile(Key k) {
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
                detail, when(k), footerStatus, texts.get(lang, "footer.requestId"));
        String body = switch (k.format()) {
            case HTML -> html(k, p);
            case TEXT -> text(k, p);
            case JSON -> json(k, p);
            case PIWIGO_JSON -> piwigoJson(k, p);
            case PIWIGO_XML -> piwigoXml(k, p);
        };
        return Compiled.of(body);
    }

    private String when(Key k) {
        if (k.endsMinute() == Long.MIN_VALUE) {
            return null;
        }
        Language lang = k.language();
        if (k.minutesLeft() < 0) {
            return texts.get(lang, "when.past");
        }
        Instant end = Instant.ofEpochSecond(k.endsMinute() * 60);
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

    private String html(Key k, Parts p) {
        Map<String, String> v = new HashMap<>();
        v.put("lang", k.language().tag());
        v.put("title", Escape.html(p.title()));
        v.put("label", Escape.html(p.label()));
        v.put("heading", Escape.html(p.title()));
        v.put("messageLang", p.messageLanguage() != k.language() ? " lang=\"" + p.messageLanguage().tag() + "\"" : "");
        v.put("message", Escape.html(p.message()));
        v.put("detail", withSlot(Escape.html(p.detail()), "<span class=\"ref\">", "</span>"));
        v.put("when", p.when() == null ? "" : NoticeTexts.fill(texts.whenHtmlTemplate, Map.of("when", Escape.html(p.when()))));
        StringBuilder footer = new StringBuilder("<span>").append(Escape.html(p.footerStatus())).append("</span>");
        if (k.hasReq()) {
            footer.append("<span>").append(Escape.html(p.requestIdLabel())).append(" <span class=\"ref\">")
                    .append(SLOT_REQ).append("</span></span>");
        }
        v.put("footer", footer.toString());
        return NoticeTexts.fill(texts.htmlTemplate, v);
    }

    private String text(Key k, Parts p) {
        Map<String, String> v = new HashMap<>();
        v.put("heading", Escape.text(p.title()));
        v.put("message", Escape.text(p.message()));
        v.put("detail", Escape.text(p.detail()));
        v.put("when", p.when() == null ? "" : Escape.text(p.when()) + "\n");
        String footer = Escape.text(p.footerStatus()) + (k.hasReq() ? " \u00b7 " + Escape.text(p.requestIdLabel()) + " " + SLOT_REQ : "");
        v.put("footer", footer);
        return NoticeTexts.fill(texts.textTemplate, v);
    }

    private String json(Key k, Parts p) {
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
            if (k.endsMinute() != Long.MIN_VALUE) {
                g.writeStringField("until", Instant.ofEpochSecond(k.endsMinute() * 60).toString());
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

    private String piwigoJson(Key k, Parts p) {
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
    private String piwigoXml(Key k, Parts p) {
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

    /** A body split into static UTF-8 segments around slots. */
    static final class Compiled {
        private final byte[][] segments; // slots.length + 1
        private final char[] slots;
        private final int staticLength;

        private Compiled(byte[][] segments, char[] slots) {
            this.segments = segments;
            this.slots = slots;
            int n = 0;
            for (byte[] s : segments) {
                n += s.length;
            }
            this.staticLength = n;
        }

        static Compiled of(String body) {
            List<byte[]> segs = new ArrayList<>();
            StringBuilder slots = new StringBuilder();
            int start = 0;
            for (int i = 0; i < body.length(); i++) {
                char c = body.charAt(i);
                if (c == SLOT_REF || c == SLOT_REQ || c == SLOT_RETRY) {
                    segs.add(body.substring(start, i).getBytes(StandardCharsets.UTF_8));
                    slots.append(c);
                    start = i + 1;
                }
            }
            segs.add(body.substring(start).getBytes(StandardCharsets.UTF_8));
            return new Compiled(segs.toArray(new byte[0][]), slots.toString().toCharArray());
        }

        private static String value(char slot, String ref, String req, String retry) {
            String v = slot == SLOT_REF ? ref : slot == SLOT_REQ ? req : retry;
            return v == null ? "" : v;
        }

        int length(String ref, String req, String retry) {
            int n = staticLength;
            for (char slot : slots) {
                n += ByteBufUtil.utf8Bytes(value(slot, ref, req, retry));
            }
            return n;
        }

        void write(ByteBuf out, String ref, String req, String retry) {
            for (int i = 0; i < slots.length; i++) {
                out.writeBytes(segments[i]);
                String v = value(slots[i], ref, req, retry);
                ByteBufUtil.reserveAndWriteUtf8(out, v, ByteBufUtil.utf8Bytes(v));
            }
            out.writeBytes(segments[slots.length]);
        }

        /** The body with empty slots, for tests. */
        String staticText() {
            StringBuilder sb = new StringBuilder();
            for (byte[] s : segments) {
                sb.append(new String(s, StandardCharsets.UTF_8));
            }
            return sb.toString();
        }
    }
}
