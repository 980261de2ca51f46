package net.passerelle.gateway.notice;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NoticeNegotiatorTest {

    private static HttpRequest request(String uri, String accept) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
        if (accept != null) {
            r.headers().set(HttpHeaderNames.ACCEPT, accept);
        }
        return r;
    }

    @ParameterizedTest(name = "Accept-Language [{0}] -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "NULL | EN",
            "'' | EN",
            "* | EN",
            "fr | FR",
            "FR | FR",
            "fr-CH, fr;q=0.9, en;q=0.8 | FR",
            "de, en;q=0.5 | EN",
            "de, fr;q=0.5, en;q=0.4 | FR",
            "en-US,en;q=0.9,fr;q=0.8 | EN",
            "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7 | FR",
            "en;q=0.5, fr;q=0.6 | FR",
            "fr;q=0, en;q=0.1 | EN",
            "fr;q=0 | EN",
            "de | EN",
            "de-DE, *;q=0.5 | EN",
            "*, fr;q=0.5 | EN",
            "fr, en | FR",
            "en, fr | EN",
            "fr;q=0.8, en;q=0.8 | FR",
            "fr ; q = 0.7 , en;q=0.6 | FR",
            "fr;q=garbage, en;q=0.1 | EN",
            "frr, en;q=0.1 | EN",
            ",,fr;q=1.0,, | FR",
    })
    void languageTable(String header, Language expected) {
        assertEquals(expected, NoticeNegotiator.language(header));
    }

    @ParameterizedTest(name = "Accept [{0}] -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "NULL | TEXT",
            "'' | TEXT",
            "*/* | TEXT",
            "text/* | TEXT",
            "text/html | HTML",
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8 | HTML",
            "application/json | JSON",
            "application/json, text/plain, */* | JSON",
            "text/html;q=0.9, application/json | JSON",
            "application/json;q=0.9, text/html | HTML",
            "application/json, text/html | JSON",
            "text/html, application/json | HTML",
            "application/json;q=0.5, */* | TEXT",
            "text/plain | TEXT",
            "image/png | TEXT",
            "application/json;q=0 | TEXT",
            "text/html;q=0, */* | TEXT",
            "application/JSON;charset=utf-8 | JSON",
            "application/xhtml+xml | HTML",
            "application/*;q=0.8, text/html;q=0.7 | JSON",
            "text/html;level=1;q=0.2, application/json;q=0.3 | JSON",
            "text/html;foo=\"a,b;q=0\", application/json;q=0.9 | HTML",
    })
    void acceptTable(String header, NoticeFormat expected) {
        assertEquals(expected, NoticeNegotiator.format(request("/index.php", header)));
        assertEquals(expected, NoticeNegotiator.formatForAccept(header));
    }

    @Test
    void nullRequestIsHtml() {
        assertEquals(NoticeFormat.HTML, NoticeNegotiator.format(null));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/ws.php?format=json&method=pwg.images.addSimple | PIWIGO_JSON",
            "/ws.php?method=pwg.images.rate&format=json | PIWIGO_JSON",
            "/gallery/ws.php?format=json | PIWIGO_JSON",
            "/ws.php?format=jsonalt | PIWIGO_JSON",
            "/ws.php?format=%6Aso%6E | PIWIGO_JSON",
            "/ws.php?format=xml&format=json | PIWIGO_JSON",
            "/ws.php?format=json&format=rest | PIWIGO_XML",
            "/ws.php?format=rest | PIWIGO_XML",
            "/ws.php | PIWIGO_XML",
            "/ws.php?method=pwg.session.login | PIWIGO_XML",
            "/ws.php?format=php | PIWIGO_XML",
            "/ws.php?format=JSON | PIWIGO_XML",
            "/ws.php?xformat=json | PIWIGO_XML",
            "http://alice.gallery.example/ws.php?format=json | PIWIGO_JSON",
            "/ws%2Ephp?format=json | PIWIGO_JSON",
            "/ws.php#format=json | PIWIGO_XML",
            "/ws.phpx?format=json | JSON",
            "/aws.php?format=json | JSON",
            "/index.php?/ws.php&format=json | JSON",
    })
    void piwigoWebService(String uri, NoticeFormat expected) {
        // the Accept header says JSON; Piwigo's own format rules win on ws.php
        assertEquals(expected, NoticeNegotiator.format(request(uri, "application/json")));
    }

    @Test
    void piwigoFormatIgnoresAccept() {
        assertEquals(NoticeFormat.PIWIGO_XML, NoticeNegotiator.format(request("/ws.php", "text/html")));
        assertEquals(NoticeFormat.PIWIGO_JSON, NoticeNegotiator.format(request("/ws.php?format=json", "text/html")));
    }

    @Test
    void severalAcceptHeadersAreCombined() {
        HttpRequest r = request("/", "text/plain;q=0.5");
        r.headers().add(HttpHeaderNames.ACCEPT, "application/json");
        assertEquals(NoticeFormat.JSON, NoticeNegotiator.format(r));
    }

    @Test
    void qValues() {
        assertEquals(1000, NoticeNegotiator.parseQValue("1"));
        assertEquals(1000, NoticeNegotiator.parseQValue("1.000"));
        assertEquals(500, NoticeNegotiator.parseQValue("0.5"));
        assertEquals(123, NoticeNegotiator.parseQValue("0.123"));
        assertEquals(0, NoticeNegotiator.parseQValue("0"));
        assertEquals(0, NoticeNegotiator.parseQValue("x"));
        assertEquals(0, NoticeNegotiator.parseQValue("2"));
    }

    /** A bad escape anywhere in the target is just text: the notice is still negotiated (it used to throw). */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/comments.php% | TEXT",
            "/%zz | TEXT",
            "/upload/x%zz | TEXT",
            "/x%4 | TEXT",
            "/ws.php% | TEXT",
            "/ws.php%zz?format=json | TEXT",
            "http://a.example/%zz | TEXT",
            "/ws%2Ephp?format=json | PIWIGO_JSON",
            "/ws.php?format=json% | PIWIGO_XML",
            "/ws.php?format=%zz | PIWIGO_XML",
            "/ws.php?%zz=1&format=json | PIWIGO_JSON",
            "/ws.php?format=js%6Fn&x=% | PIWIGO_JSON",
            "/ws.php?format=json+ | PIWIGO_XML",
    })
    void badEscapesNeverThrow(String uri, NoticeFormat expected) {
        assertEquals(expected, NoticeNegotiator.format(request(uri, null)));
    }
}
