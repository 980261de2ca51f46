package net.passerelle.gateway.notice;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a notice says about one request.
 *
 * @param kind              what happened (required)
 * @param group             the account group, for the caller's logs; not shown to visitors
 * @param messageOverride   the group's message, language tag ({@code "en"}, {@code "fr"}) to sentence; replaces the
 *                          notice's main sentence. Falls back to {@code "en"} when the chosen language has none.
 *                          Escaped like any other text.
 * @param endsAt            when the situation should end (window end); {@code null}: no time is announced
 * @param retryAfterSeconds the {@code Retry-After} delay; {@code null}: derived from {@code endsAt} when known
 * @param referenceId       the spool reference of a queued write ({@link NoticeKind#QUEUED})
 * @param requestId         the request id, echoed as {@code X-Request-Id} and shown in small print
 * @param readOnlySince     since when the group is read-only, announced by the read-only notices ({@link
 *                          NoticeKind#READ_ONLY}, {@link NoticeKind#QUEUED}) to the minute; {@code null}: not said
 */
public record NoticeContext(NoticeKind kind, String group, Map<String, String> messageOverride, Instant endsAt,
                            Integer retryAfterSeconds, String referenceId, String requestId, Instant readOnlySince) {
    public NoticeContext {
        Objects.requireNonNull(kind, "kind");
    }

    public NoticeContext(NoticeKind kind, String group, Map<String, String> messageOverride, Instant endsAt,
                         Integer retryAfterSeconds, String referenceId, String requestId) {
        this(kind, group, messageOverride, endsAt, retryAfterSeconds, referenceId, requestId, null);
    }

    /** A context with nothing but its kind (gateway refusals, unknown host…). */
    public static NoticeContext of(NoticeKind kind) {
        return new NoticeContext(kind, null, null, null, null, null, null);
    }

    public NoticeContext withRequestId(String id) {
        return new NoticeContext(kind, group, messageOverride, endsAt, retryAfterSeconds, referenceId, id, readOnlySince);
    }

    public NoticeContext withReferenceId(String id) {
        return new NoticeContext(kind, group, messageOverride, endsAt, retryAfterSeconds, id, requestId, readOnlySince);
    }
}
