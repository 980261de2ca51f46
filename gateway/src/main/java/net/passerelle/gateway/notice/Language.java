package net.passerelle.gateway.notice;

import io.netty.util.AsciiString;

import java.util.Locale;

/** Languages notices are written in. {@link #EN} is the default. */
public enum Language {
    EN("en", Locale.ENGLISH),
    FR("fr", Locale.FRENCH);

    private final String tag;
    private final AsciiString headerValue;
    private final Locale locale;

    Language(String tag, Locale locale) {
        this.tag = tag;
        this.headerValue = AsciiString.cached(tag);
        this.locale = locale;
    }

    /** The BCP 47 tag, also the key of a group's message override map. */
    public String tag() {
        return tag;
    }

    AsciiString headerValue() {
        return headerValue;
    }

    Locale locale() {
        return locale;
    }
}
