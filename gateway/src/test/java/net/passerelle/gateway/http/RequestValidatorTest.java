package net.passerelle.gateway.http;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import net.passerelle.gateway.routing.HostNormalizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RequestValidatorTest {
    private final RequestValidator validator = new RequestValidator(100, 1000);

    @ParameterizedTest(name = "{0} {1} Host={2} -> {3}")
    @CsvSource(nullValues = "NULL", textBlock = """
            GET,     /,                                 alice.example,      NULL
            GET,     http://alice.example/x,            alice.example,      NULL
            GET,     HTTP://ALICE.example:80/x,         alice.example,      NULL
            GET,     http://bob.example/x,              alice.example,      AUTHORITY_MISMATCH
            GET,     http://u@alice.example/x,          alice.example,      BAD_TARGET
            GET,     ftp://alice.example/x,             alice.example,      BAD_TARGET
            GET,     x,                                 alice.example,      BAD_TARGET
            GET,     /a#frag,                           alice.example,      BAD_TARGET
            OPTIONS, *,                                 alice.example,      NULL
            GET,     *,                                 alice.example,      BAD_TARGET
            GET,     /,                                 NULL,               MISSING_HOST
            GET,     /,                                 bad host,           INVALID_HOST
            TRACE,   /,                                 alice.example,      METHOD_REFUSED
            CONNECT, alice.example:443,                 alice.example,      METHOD_REFUSED
            """)
    void checksTargetHostAndMethod(String method, String uri, String host, String expected) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri);
        if (host != null) {
            r.headers().set("host", host);
        }
        Rejection rejection = validator.validate(r, HostNormalizer.normalize(host));
        assertEquals(expected, rejection == null ? null : rejection.name());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(textBlock = """
            http://alice.example/x?y=1,  /x?y=1
            http://alice.example,        /
            http://alice.example?q=1,    /?q=1
            /plain?x=1,                  /plain?x=1
            """)
    void originForm(String uri, String expected) {
        assertEquals(expected, RequestValidator.originForm(uri));
    }
}
