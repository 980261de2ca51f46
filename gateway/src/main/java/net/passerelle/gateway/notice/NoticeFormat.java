package net.passerelle.gateway.notice;

import io.netty.util.AsciiString;

/** The representation of a notice, chosen per request by {@link NoticeNegotiator}. */
public enum NoticeFormat {
    /** A full HTML page, for browsers. */
    HTML("text/html; charset=utf-8"),
    /** {@code {"error":"read_only","message":…}} for API clients. */
    JSON("application/json; charset=utf-8"),
    /** Piwigo's {@code ws.php?format=json} error shape: {@code {"stat":"fail","err":503,"message":…}}. */
    PIWIGO_JSON("application/json; charset=utf-8"),
    /** Piwigo's default REST (XML) error shape: {@code <rsp stat="fail"><err code="503" msg="…" /></rsp>}. */
    PIWIGO_XML("text/xml; charset=utf-8"),
    /** Plain text, for everything else (curl's {@code *}{@code /*}). */
    TEXT("text/plain; charset=utf-8");

    private final AsciiString contentType;

    NoticeFormat(String contentType) {
        this.contentType = AsciiString.cached(contentType);
    }

    public AsciiString contentType() {
        return contentType;
    }
}
