package net.passerelle.gateway.notice;

import java.time.Instant;
import java.util.Map;

/** PLACEHOLDER until the notice branch lands. */
public record NoticeContext(NoticeKind kind, String group, Map<String, String> messageOverride, Instant endsAt,
                            Integer retryAfterSeconds, String referenceId, String requestId) {
}
