package net.passerelle.gateway.notice;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static net.passerelle.gateway.notice.NoticeRendererTest.JSON;
import static net.passerelle.gateway.notice.NoticeRendererTest.NOW;
import static net.passerelle.gateway.notice.NoticeRendererTest.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The read-only notices say since when the group is read-only, in every format and language, keyed correctly. */
class NoticeReadOnlySinceTest {
    private static final Instant SINCE = Instant.parse("2026-11-22T08:02:41Z");
    private final NoticeRenderer renderer = new NoticeRenderer(Clock.fixed(NOW, ZoneOffset.UTC));

    private static NoticeContext readOnly(NoticeKind kind, Instant since) {
        return new NoticeContext(kind, "srv-12", null, null, null, kind == NoticeKind.QUEUED ? "Q-1" : null, "req-1",
                since);
    }

    private String body(NoticeContext ctx, NoticeFormat format, Language language) {
        return render(renderer, ctx, format, language, false).body().replace('\u00a0', ' ');
    }

    @Test
    void everyFormatOfTheReadOnlyNoticesSaysSinceWhenInEnglishAndFrench() throws Exception {
        for (NoticeKind kind : new NoticeKind[]{NoticeKind.READ_ONLY, NoticeKind.QUEUED}) {
            for (NoticeFormat format : NoticeFormat.values()) {
                String what = kind + "/" + format;
                String en = body(readOnly(kind, SINCE), format, Language.EN);
                assertTrue(en.contains("read-only since 08:02 UTC"), what + ": " + en);
                String fr = body(readOnly(kind, SINCE), format, Language.FR);
                assertTrue(fr.contains("en lecture seule depuis 08 h 02 UTC"), what + ": " + fr);
            }
            JsonNode json = JSON.readTree(body(readOnly(kind, SINCE), NoticeFormat.JSON, Language.EN));
            // the exact moment: a minute rounded down would claim the group was read-only before it was
            assertEquals("2026-11-22T08:02:41Z", json.get("readOnlySince").asText(), json.toString());
            String yesterday = body(readOnly(kind, SINCE.minusSeconds(86_400)), NoticeFormat.TEXT, Language.EN);
            assertTrue(yesterday.contains("read-only since 21 November, 08:02 UTC"), yesterday);
        }
    }

    @Test
    void nothingIsSaidWithoutATimeNorByNoticesThatAreNotAboutReadOnly() throws Exception {
        for (NoticeFormat format : NoticeFormat.values()) {
            assertFalse(body(readOnly(NoticeKind.READ_ONLY, null), format, Language.EN).contains("since"), format.toString());
            assertFalse(body(readOnly(NoticeKind.BAD_GATEWAY, SINCE), format, Language.EN).contains("since"),
                    "a backend that is down is not news about read-only: " + format);
        }
        assertFalse(JSON.readTree(body(readOnly(NoticeKind.READ_ONLY, null), NoticeFormat.JSON, Language.EN))
                .has("readOnlySince"));
    }

    /** Bodies are compiled once per key: two groups read-only since different times must not share one. */
    @Test
    void theCompiledBodyIsKeyedBySinceWhen() {
        Instant other = Instant.parse("2026-11-22T09:47:05Z");
        for (int i = 0; i < 2; i++) {
            assertTrue(body(readOnly(NoticeKind.READ_ONLY, SINCE), NoticeFormat.TEXT, Language.EN).contains("since 08:02 UTC"));
            assertTrue(body(readOnly(NoticeKind.READ_ONLY, other), NoticeFormat.TEXT, Language.EN).contains("since 09:47 UTC"));
            assertFalse(body(readOnly(NoticeKind.READ_ONLY, null), NoticeFormat.TEXT, Language.EN).contains("since"));
        }
        assertTrue(body(readOnly(NoticeKind.READ_ONLY, SINCE.plusSeconds(10)), NoticeFormat.TEXT, Language.EN)
                .contains("since 08:02 UTC"), "the same minute");
    }
}
