package net.passerelle.gateway.notice;

import java.time.Instant;
import java.util.Map;

/**
 * Everything a compiled body depends on, and nothing more: requests that differ only in their reference id, request
 * id or retry delay share one compiled body. The time left is kept in whole minutes, so a window's notices compile
 * about once a minute; the window end itself is exact (it stays the same for the whole window, and a machine reading
 * the JSON's {@code until} must not be told a moment before the real end).
 *
 * @param override         the group's message in {@code overrideLanguage}, null when it has none for the request
 * @param endsMillis       the window end (epoch milliseconds); {@link #NO_END} when none
 * @param minutesLeft      -1 when the end is past, 0 under a minute, else whole minutes rounded up
 * @param sameDay          whether the end falls on today's date (UTC), which decides how it is announced
 * @param sinceMillis      since when the group is read-only (epoch milliseconds; the text shows the minute), for the
 *                         read-only notices only; {@link #NO_END} when not announced. It stays the same for the
 *                         whole read-only time, so it adds one compiled body per read-only group, not per minute.
 * @param sinceSameDay     whether that minute falls on today's date (UTC)
 */
record NoticeKey(NoticeKind kind, NoticeFormat format, Language language, String override, Language overrideLanguage,
                 long endsMillis, long minutesLeft, boolean sameDay, long sinceMillis, boolean sinceSameDay,
                 boolean hasRef, boolean hasReq, boolean hasRetry) {

    static final long NO_END = Long.MIN_VALUE;

    static NoticeKey of(NoticeContext ctx, NoticeFormat format, Language language, Instant now,
                        boolean hasRef, boolean hasReq, boolean hasRetry) {
        Map<String, String> overrides = ctx.messageOverride();
        Language overrideLanguage = overrideLanguage(overrides, language);
        String override = overrideLanguage == null ? null : overrides.get(overrideLanguage.tag());
        boolean readOnly = ctx.kind() == NoticeKind.READ_ONLY || ctx.kind() == NoticeKind.QUEUED;
        Instant since = readOnly ? ctx.readOnlySince() : null;
        // Exact, not to the minute: it does not change while the group stays read-only, so the cache holds one
        // notice per read-only group either way, and the JSON's readOnlySince must not claim an earlier moment.
        long sinceMillis = since == null ? NO_END : since.toEpochMilli();
        boolean sinceSameDay = since == null
                || Math.floorDiv(sinceMillis, 86_400_000L) == Math.floorDiv(now.getEpochSecond(), 86400);
        Instant endsAt = ctx.endsAt();
        if (endsAt == null) {
            return new NoticeKey(ctx.kind(), format, language, override, overrideLanguage, NO_END, 0, true,
                    sinceMillis, sinceSameDay, hasRef, hasReq, hasRetry);
        }
        long secondsLeft = secondsLeft(endsAt, now);
        long minutesLeft = secondsLeft <= 0 ? -1 : secondsLeft < 60 ? 0 : (secondsLeft + 59) / 60;
        long endsMillis = endsAt.toEpochMilli();
        boolean sameDay = Math.floorDiv(displayedEndMinute(endsMillis), 1440) == Math.floorDiv(now.getEpochSecond(), 86400);
        return new NoticeKey(ctx.kind(), format, language, override, overrideLanguage, endsMillis, minutesLeft, sameDay,
                sinceMillis, sinceSameDay, hasRef, hasReq, hasRetry);
    }

    /** The end as the visitor's text shows it: to the nearest minute. */
    static Instant displayedEnd(long endsMillis) {
        return Instant.ofEpochSecond(displayedEndMinute(endsMillis) * 60);
    }

    /** {@link #displayedEnd} in epoch minutes: what the key needs per request, without an {@code Instant}. */
    private static long displayedEndMinute(long endsMillis) {
        return Math.floorDiv(Math.floorDiv(endsMillis, 1000) + 30, 60);
    }

    /** Seconds from {@code now} to {@code endsAt}, a started second counting as whole. */
    static long secondsLeft(Instant endsAt, Instant now) {
        return endsAt.getEpochSecond() - now.getEpochSecond() + (endsAt.getNano() > now.getNano() ? 1 : 0);
    }

    /** The group's message is in the chosen language, else in English, else there is none. */
    private static Language overrideLanguage(Map<String, String> overrides, Language language) {
        if (overrides == null || overrides.isEmpty()) {
            return null;
        }
        if (given(overrides.get(language.tag()))) {
            return language;
        }
        if (language != Language.EN && given(overrides.get(Language.EN.tag()))) {
            return Language.EN;
        }
        return null;
    }

    private static boolean given(String s) {
        return s != null && !s.isBlank();
    }
}
