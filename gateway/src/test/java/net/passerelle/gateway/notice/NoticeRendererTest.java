package net.passerelle.gateway.notice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NoticeRendererTest {
    static final Instant NOW = Instant.parse("2026-11-22T10:23:10Z");
    static final Instant ENDS = Instant.parse("2026-11-22T10:30:00Z");
    static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    static final ObjectMapper JSON = new ObjectMapper();

    final NoticeRenderer renderer = new NoticeRenderer(Clock.fixed(NOW, ZoneOffset.UTC));

    /** What one rendering gave, with the response released. */
    record Rendered(int status, HttpHeaders headers, String body, int bodyBytes) {
        String header(CharSequence name) {
            return headers.get(name);
        }

        /** The body with no-break spaces as plain spaces. */
        String spaced() {
            return body.replace('\u00a0', ' ');
        }
    }

    Rendered render(NoticeContext ctx, NoticeFormat format, Language language) {
        return render(renderer, ctx, format, language, false);
    }

    static Rendered render(NoticeRenderer r, NoticeContext ctx, NoticeFormat format, Language language, boolean head) {
        FullHttpResponse response = r.render(ctx, format, language, ALLOC, head);
        try {
            String body = response.content().toString(StandardCharsets.UTF_8);
            return new Rendered(response.status().code(), response.headers().copy(), body, response.content().readableBytes());
        } finally {
            response.release();
        }
    }

    static NoticeContext full(NoticeKind kind) {
        return new NoticeContext(kind, "srv-12", null, ENDS, null, "Q-2026-0001", "req-abc123");
    }

    @Test
    void everyKindFormatAndLanguageRenders() throws Exception {
        for (NoticeKind kind : NoticeKind.values()) {
            for (NoticeFormat format : NoticeFormat.values()) {
                for (Language language : Language.values()) {
                    String what = kind + "/" + format + "/" + language;
                    Rendered r = render(full(kind), format, language);
                    assertEquals(kind.statusCode(), r.status(), what);
                    assertEquals(format.contentType().toString(), r.header(HttpHeaderNames.CONTENT_TYPE), what);
                    assertTrue(r.header(HttpHeaderNames.CONTENT_TYPE).endsWith("charset=utf-8"), what);
                    assertEquals(String.valueOf(r.bodyBytes()), r.header(HttpHeaderNames.CONTENT_LENGTH), what);
                    assertEquals("no-store", r.header(HttpHeaderNames.CACHE_CONTROL), what);
                    assertEquals(language.tag(), r.header(HttpHeaderNames.CONTENT_LANGUAGE), what);
                    assertEquals("req-abc123", r.header("X-Request-Id"), what);
                    if (kind.statusCode() == 503 || kind.statusCode() == 429) {
                        assertEquals("410", r.header(HttpHeaderNames.RETRY_AFTER), what); // 10:23:10 -> 10:30:00
                    } else {
                        assertNull(r.header(HttpHeaderNames.RETRY_AFTER), what);
                    }
                    assertTrue(r.bodyBytes() > 0, what);
                    assertFalse(r.body().contains("{{"), what);
                    assertFalse(r.body().chars().anyMatch(c -> c >= 0xE000 && c <= 0xE00F), what + ": slot marker leaked");
                    checkShape(kind, format, language, r, what);
                }
            }
        }
    }

    private void checkShape(NoticeKind kind, NoticeFormat format, Language language, Rendered r, String what) throws Exception {
        switch (format) {
            case HTML -> {
                assertTrue(r.body().startsWith("<!DOCTYPE html>"), what);
                assertTrue(r.body().contains("<html lang=\"" + language.tag() + "\">"), what);
                assertTrue(r.body().contains("<meta name=\"viewport\""), what);
                assertTrue(r.body().contains("<h1>"), what);
                assertTrue(r.body().contains("req-abc123"), what);
                assertTrue(r.body().contains("UTC"), what);
                assertNoExternalResource(r.body(), what);
            }
            case JSON -> {
                JsonNode n = JSON.readTree(r.body());
                assertEquals(kind.code(), n.get("error").asText(), what);
                assertEquals(kind.statusCode(), n.get("status").asInt(), what);
                assertFalse(n.get("message").asText().isBlank(), what);
                assertEquals(410, n.get("retryAfterSeconds").asInt(), what);
                assertTrue(n.get("retryAfterSeconds").isInt(), what);
                assertEquals("2026-11-22T10:30:00Z", n.get("until").asText(), what);
                assertEquals("Q-2026-0001", n.get("referenceId").asText(), what);
                assertEquals("req-abc123", n.get("requestId").asText(), what);
            }
            case PIWIGO_JSON -> {
                JsonNode n = JSON.readTree(r.body());
                assertEquals("fail", n.get("stat").asText(), what);
                assertEquals(kind.statusCode(), n.get("err").asInt(), what);
                assertTrue(n.get("err").isInt(), what);
                assertFalse(n.get("message").asText().isBlank(), what);
            }
            case PIWIGO_XML -> {
                Element rsp = parseXml(r.body()).getDocumentElement();
                assertEquals("rsp", rsp.getTagName(), what);
                assertEquals("fail", rsp.getAttribute("stat"), what);
                Element err = (Element) rsp.getElementsByTagName("err").item(0);
                assertEquals(String.valueOf(kind.statusCode()), err.getAttribute("code"), what);
                assertFalse(err.getAttribute("msg").isBlank(), what);
                assertTrue(r.body().startsWith("<?xml version=\"1.0\"?>\n<rsp stat=\"fail\">\n\t<err code=\""), what);
                assertTrue(r.body().endsWith("\" />\n</rsp>"), what);
            }
            case TEXT -> {
                assertTrue(r.body().endsWith("\n"), what);
                assertTrue(r.body().contains("req-abc123"), what);
                assertFalse(r.body().contains("<"), what);
            }
        }
    }

    static Document parseXml(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    static void assertNoExternalResource(String html, String what) {
        String lower = html.toLowerCase();
        for (String forbidden : new String[]{"http://", "https://", "src=", "href=", "<script", "<link", "@import", "url(", "<img", "<iframe", "<object", "<embed", "on" + "load="}) {
            assertFalse(lower.contains(forbidden), what + " contains " + forbidden);
        }
    }

    @Test
    void frenchReadOnlyPage() throws Exception {
        Rendered r = render(full(NoticeKind.READ_ONLY), NoticeFormat.HTML, Language.FR);
        assertEquals(503, r.status());
        assertTrue(r.body().contains("lecture seule"), r.body());
        assertTrue(r.body().contains("Vous pouvez toujours parcourir"), "reading still works");
        assertTrue(r.spaced().contains("jusque vers 10 h 30 UTC (dans 7 minutes)"), r.body());
        Files.writeString(Path.of("/tmp/notice-readonly-fr.html"), r.body());
    }

    @Test
    void englishReadOnlyTextSaysReadingStillWorksAndWhen() {
        Rendered r = render(full(NoticeKind.READ_ONLY), NoticeFormat.TEXT, Language.EN);
        assertTrue(r.body().contains("read-only"), r.body());
        assertTrue(r.body().contains("You can still browse"), r.body());
        assertTrue(r.spaced().contains("until about 10:30 UTC (in 7 minutes)"), r.body());
        assertTrue(r.body().startsWith("Changes are paused for a moment\n\n"), r.body());
    }

    @Test
    void queuedCarriesTheReferenceId() throws Exception {
        NoticeContext ctx = full(NoticeKind.QUEUED);
        Rendered html = render(ctx, NoticeFormat.HTML, Language.EN);
        assertEquals(202, html.status());
        assertTrue(html.body().contains("<span class=\"ref\">Q-2026-0001</span>"), html.body());
        Rendered text = render(ctx, NoticeFormat.TEXT, Language.FR);
        assertTrue(text.body().contains("sous la référence Q-2026-0001 et sera appliquée"), text.body());
        JsonNode pj = JSON.readTree(render(ctx, NoticeFormat.PIWIGO_JSON, Language.EN).body());
        assertTrue(pj.get("message").asText().contains("Q-2026-0001"));
        assertEquals("Q-2026-0001", pj.get("referenceId").asText());
        Element err = (Element) parseXml(render(ctx, NoticeFormat.PIWIGO_XML, Language.EN).body()).getElementsByTagName("err").item(0);
        assertTrue(err.getAttribute("msg").contains("Q-2026-0001"));

        Rendered noRef = render(new NoticeContext(NoticeKind.QUEUED, null, null, null, null, null, null), NoticeFormat.TEXT, Language.EN);
        assertTrue(noRef.body().contains("Your change was saved and will be applied"), noRef.body());
    }

    @Test
    void piwigoShapes() throws Exception {
        NoticeContext ctx = NoticeContext.of(NoticeKind.READ_ONLY);
        String json = render(ctx, NoticeFormat.PIWIGO_JSON, Language.EN).body();
        JsonNode n = JSON.readTree(json);
        assertEquals(3, n.size(), json);
        assertTrue(json.startsWith("{\"stat\":\"fail\",\"err\":503,\"message\":\""), json);
        String xml = render(ctx, NoticeFormat.PIWIGO_XML, Language.EN).body();
        assertEquals("<?xml version=\"1.0\"?>\n<rsp stat=\"fail\">\n\t<err code=\"503\" msg=\""
                + "This gallery is in read-only mode while maintenance is under way. You can still browse the albums and view the photos. "
                + "Uploads, comments and other changes are not possible right now, and yours was not saved: please try again later."
                + "\" />\n</rsp>", xml);
    }

    @Test
    void hostileOverrideIsEscapedEverywhere() throws Exception {
        String hostile = "<script>alert(1)</script>\"><img src=x onerror=alert(2)> & 'q' {{detail}} \uE000\uE001 \u2028 \\ \n end";
        NoticeContext ctx = new NoticeContext(NoticeKind.MAINTENANCE, "g", Map.of("en", hostile, "fr", hostile), ENDS, 60,
                "<b>ref</b>\"&", "req-1");
        for (Language language : Language.values()) {
            Rendered html = render(ctx, NoticeFormat.HTML, language);
            assertFalse(html.body().contains("<script"), html.body());
            assertFalse(html.body().contains("<img"), html.body());
            assertFalse(html.body().contains("<b>"), html.body());
            assertTrue(html.body().contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt; &amp; &#039;q&#039; {{detail}}"), html.body());
            assertFalse(html.body().chars().anyMatch(c -> c >= 0xE000 && c <= 0xE00F));

            JsonNode j = JSON.readTree(render(ctx, NoticeFormat.JSON, language).body());
            assertTrue(j.get("message").asText().startsWith("<script>alert(1)</script>\"><img src=x onerror=alert(2)> & 'q' {{detail}} \uFFFD\uFFFD"));
            assertEquals("<b>ref</b>\"&", j.get("referenceId").asText());
            String rawJson = render(ctx, NoticeFormat.JSON, language).body();
            assertFalse(rawJson.contains("<"), rawJson);
            assertFalse(rawJson.contains("\u2028"), rawJson);

            JsonNode pj = JSON.readTree(render(ctx, NoticeFormat.PIWIGO_JSON, language).body());
            assertTrue(pj.get("message").asText().contains("<script>alert(1)</script>"));

            String xml = render(ctx, NoticeFormat.PIWIGO_XML, language).body();
            assertFalse(xml.contains("<script"), xml);
            Element err = (Element) parseXml(xml).getElementsByTagName("err").item(0);
            assertTrue(err.getAttribute("msg").startsWith("<script>alert(1)</script>\"><img src=x onerror=alert(2)> & 'q' {{detail}}"));

            String text = render(ctx, NoticeFormat.TEXT, language).body();
            assertTrue(text.contains("<script>alert(1)</script>"), "text/plain shows it as text");
            assertFalse(text.contains("\\ \n end"), "no line forged by the override");
        }
    }

    @Test
    void overrideFallsBackToEnglishAndIsMarked() {
        NoticeContext ctx = new NoticeContext(NoticeKind.READ_ONLY, "g", Map.of("en", "We are moving to a faster server."), null, null, null, null);
        Rendered fr = render(ctx, NoticeFormat.HTML, Language.FR);
        assertTrue(fr.body().contains("<p class=\"lead\" lang=\"en\">We are moving to a faster server.</p>"), fr.body());
        assertTrue(fr.body().contains("Vous pouvez toujours parcourir"), "the rest stays French");
        Rendered en = render(ctx, NoticeFormat.HTML, Language.EN);
        assertTrue(en.body().contains("<p class=\"lead\">We are moving to a faster server.</p>"), en.body());

        Map<String, String> both = new LinkedHashMap<>();
        both.put("en", "Moving.");
        both.put("fr", "Déménagement.");
        Rendered fr2 = render(new NoticeContext(NoticeKind.READ_ONLY, "g", both, null, null, null, null), NoticeFormat.TEXT, Language.FR);
        assertTrue(fr2.body().contains("Déménagement."), fr2.body());
        assertFalse(fr2.body().contains("Moving."), fr2.body());

        Rendered blank = render(new NoticeContext(NoticeKind.READ_ONLY, "g", Map.of("fr", "  "), null, null, null, null), NoticeFormat.TEXT, Language.FR);
        assertTrue(blank.body().contains("Cette galerie est en lecture seule"), blank.body());
    }

    @Test
    void headHasTheHeadersAndNoBody() {
        for (NoticeFormat format : NoticeFormat.values()) {
            NoticeContext ctx = full(NoticeKind.READ_ONLY);
            Rendered get = render(renderer, ctx, format, Language.FR, false);
            Rendered head = render(renderer, ctx, format, Language.FR, true);
            assertEquals(0, head.bodyBytes());
            assertEquals(String.valueOf(get.bodyBytes()), head.header(HttpHeaderNames.CONTENT_LENGTH));
            assertEquals(new java.util.TreeSet<>(get.headers().names()), new java.util.TreeSet<>(head.headers().names()));
            assertEquals(get.header(HttpHeaderNames.RETRY_AFTER), head.header(HttpHeaderNames.RETRY_AFTER));
        }
    }

    @Test
    void cacheGivesEqualBytesAndDoesNotGrowPerRequest() {
        NoticeRenderer r = new NoticeRenderer(Clock.fixed(NOW, ZoneOffset.UTC));
        NoticeContext ctx = full(NoticeKind.QUEUED);
        assertEquals(render(r, ctx, NoticeFormat.HTML, Language.FR, false).body(), render(r, ctx, NoticeFormat.HTML, Language.FR, false).body());
        for (int i = 0; i < 10_000; i++) {
            NoticeContext c = new NoticeContext(NoticeKind.QUEUED, "g", Map.of("en", "Moving."), ENDS, 400 + i % 50,
                    "Q-" + i, "req-" + i);
            Rendered out = render(r, c, i % 2 == 0 ? NoticeFormat.HTML : NoticeFormat.JSON, Language.EN, false);
            assertTrue(out.body().contains("Q-" + i), out.body());
        }
        assertTrue(r.cachedBodies() <= 3, "cache size " + r.cachedBodies());
    }

    @Test
    void renderingFollowsTheClockByTheMinute() {
        MutableClock clock = new MutableClock(NOW);
        NoticeRenderer r = new NoticeRenderer(clock);
        NoticeContext ctx = new NoticeContext(NoticeKind.MAINTENANCE, null, null, ENDS, null, null, null);
        assertTrue(render(r, ctx, NoticeFormat.TEXT, Language.EN, false).spaced().contains("(in 7 minutes)"));
        clock.now = Instant.parse("2026-11-22T10:28:30Z");
        assertTrue(render(r, ctx, NoticeFormat.TEXT, Language.EN, false).spaced().contains("(in 2 minutes)"));
        clock.now = Instant.parse("2026-11-22T10:29:30Z");
        Rendered last = render(r, ctx, NoticeFormat.TEXT, Language.EN, false);
        assertTrue(last.body().contains("(in less than a minute)"), last.body());
        assertEquals("30", last.header(HttpHeaderNames.RETRY_AFTER));
        clock.now = Instant.parse("2026-11-22T10:31:00Z");
        Rendered past = render(r, ctx, NoticeFormat.TEXT, Language.EN, false);
        assertTrue(past.body().contains("any moment now"), past.body());
        assertEquals("0", past.header(HttpHeaderNames.RETRY_AFTER));
        clock.now = Instant.parse("2026-11-21T20:00:00Z");
        Rendered fr = render(r, ctx, NoticeFormat.TEXT, Language.FR, false);
        assertTrue(fr.spaced().contains("jusque vers le 22 novembre, 10 h 30 UTC (dans environ 15 heures)"), fr.body());
        Rendered en = render(r, ctx, NoticeFormat.TEXT, Language.EN, false);
        assertTrue(en.spaced().contains("until about 22 November, 10:30 UTC (in about 15 hours)"), en.body());
    }

    /**
     * A window ending off the minute: the visitor's text names the nearest minute, but the JSON's {@code until} is the
     * real end, never a moment before it (rounded, 10:29:29 read as 10:29, which a client would retry at in vain).
     */
    @Test
    void theJsonUntilIsTheExactEndWhileTheTextRoundsToTheMinute() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:29:10Z"));
        NoticeRenderer r = new NoticeRenderer(clock);
        NoticeContext ctx = new NoticeContext(NoticeKind.READ_ONLY, null, null, Instant.parse("2026-11-22T10:29:29.250Z"),
                null, null, null);
        JsonNode j = JSON.readTree(render(r, ctx, NoticeFormat.JSON, Language.EN, false).body());
        assertEquals("2026-11-22T10:29:29.250Z", j.get("until").asText());
        assertTrue(render(r, ctx, NoticeFormat.TEXT, Language.EN, false).spaced().contains("10:29 UTC"));
        NoticeContext later = new NoticeContext(NoticeKind.READ_ONLY, null, null, Instant.parse("2026-11-22T10:29:31Z"),
                null, null, null);
        assertEquals("2026-11-22T10:29:31Z", JSON.readTree(render(r, later, NoticeFormat.JSON, Language.EN, false).body())
                .get("until").asText());
        assertTrue(render(r, later, NoticeFormat.TEXT, Language.EN, false).spaced().contains("10:30 UTC"));
    }

    @Test
    void noEndTimeNoTimeSentence() throws Exception {
        NoticeContext ctx = new NoticeContext(NoticeKind.READ_ONLY, null, null, null, 420, null, null);
        Rendered html = render(ctx, NoticeFormat.HTML, Language.EN);
        assertFalse(html.body().contains("UTC"));
        assertFalse(html.body().contains("class=\"when\""));
        assertEquals("420", html.header(HttpHeaderNames.RETRY_AFTER));
        assertNull(html.header("X-Request-Id"));
        JsonNode j = JSON.readTree(render(ctx, NoticeFormat.JSON, Language.EN).body());
        assertEquals(420, j.get("retryAfterSeconds").asInt());
        assertNull(j.get("until"));
        assertNull(j.get("referenceId"));

        Rendered bare = render(NoticeContext.of(NoticeKind.UNKNOWN_HOST), NoticeFormat.JSON, Language.EN);
        assertEquals(404, bare.status());
        JsonNode b = JSON.readTree(bare.body());
        assertNull(b.get("retryAfterSeconds"));
        assertEquals("There is no gallery at this address. Please check the address you typed or the link you followed.", b.get("message").asText());
    }

    @Test
    void badRequestIdsAreDropped() {
        for (String bad : new String[]{"a\r\nSet-Cookie: x=1", "has space", "é", "x".repeat(201), ""}) {
            Rendered r = render(new NoticeContext(NoticeKind.BAD_REQUEST, null, null, null, null, null, bad), NoticeFormat.HTML, Language.EN);
            assertNull(r.header("X-Request-Id"), bad);
            assertFalse(r.body().contains("Set-Cookie"));
        }
        Rendered odd = render(new NoticeContext(NoticeKind.BAD_REQUEST, null, null, null, null, null, "<x>\"'&"), NoticeFormat.HTML, Language.EN);
        assertEquals("<x>\"'&", odd.header("X-Request-Id"));
        assertTrue(odd.body().contains("&lt;x&gt;&quot;&#039;&amp;"), odd.body());
    }

    @Test
    void statusSpecificHeaders() {
        Rendered m = render(NoticeContext.of(NoticeKind.METHOD_NOT_ALLOWED), NoticeFormat.TEXT, Language.EN);
        assertEquals(405, m.status());
        assertNotNull(m.header(HttpHeaderNames.ALLOW));
        assertFalse(m.header(HttpHeaderNames.ALLOW).contains("TRACE"));
        Rendered t = render(new NoticeContext(NoticeKind.TOO_MANY_CONNECTIONS, null, null, null, 5, null, null), NoticeFormat.TEXT, Language.EN);
        assertEquals(429, t.status());
        assertEquals("5", t.header(HttpHeaderNames.RETRY_AFTER));
        Rendered q = render(new NoticeContext(NoticeKind.QUEUED, null, null, null, 5, "r", null), NoticeFormat.TEXT, Language.EN);
        assertNull(q.header(HttpHeaderNames.RETRY_AFTER), "no Retry-After on a 202");
        Rendered html = render(NoticeContext.of(NoticeKind.UNKNOWN_HOST), NoticeFormat.HTML, Language.EN);
        assertTrue(html.header(HttpHeaderNames.CONTENT_SECURITY_POLICY).startsWith("default-src 'none'"));
        assertEquals("nosniff", html.header("X-Content-Type-Options"));
        assertEquals(502, render(NoticeContext.of(NoticeKind.DEFAULT_PAGE), NoticeFormat.TEXT, Language.EN).status());
        assertEquals(431, render(NoticeContext.of(NoticeKind.HEADERS_TOO_LARGE), NoticeFormat.TEXT, Language.EN).status());
    }

    @Test
    void nullFormatAndLanguageDefault() {
        Rendered r = render(NoticeContext.of(NoticeKind.BAD_REQUEST), null, null);
        assertEquals(400, r.status());
        assertEquals("en", r.header(HttpHeaderNames.CONTENT_LANGUAGE));
        assertTrue(r.body().startsWith("<!DOCTYPE html>"));
    }

    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
