package net.passerelle.gateway.notice;

import io.netty.handler.codec.http.HttpRequest;

/** PLACEHOLDER until the notice branch lands. */
public final class NoticeNegotiator {
    private NoticeNegotiator() {
    }

    public static NoticeFormat format(HttpRequest request) {
        return NoticeFormat.HTML;
    }

    public static Language language(String acceptLanguage) {
        return Language.EN;
    }
}
