package net.passerelle.gateway.accesslog;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RedactionTest {
    private final Redaction redaction = new Redaction(Redaction.DEFAULT_NAMES);

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/                                       | /",
            "/index.php?/category/12                 | /index.php?/category/12",
            "/ws.php?method=pwg.session.login&username=a&password=hunter2 | /ws.php?method=pwg.session.login&username=a&password=[redacted]",
            "/ws.php?pwg_token=abc&image_id=1        | /ws.php?pwg_token=[redacted]&image_id=1",
            "/a?PassWord=x                           | /a?PassWord=[redacted]",
            "/a?pass%77ord=x                         | /a?pass%77ord=[redacted]",
            "/a?key=1&key=2                          | /a?key=[redacted]&key=[redacted]",
            "/a?token=                               | /a?token=",
            "/a?api_key=k#token=frag                 | /a?api_key=[redacted]#token=frag",
            "/a?monkey=1&keys=2                      | /a?monkey=1&keys=2",
            "/a?&&key=z&                             | /a?&&key=[redacted]&",
            "http://h/p?pwd=1                        | http://h/p?pwd=[redacted]",
    })
    void credentialValuesAreMasked(String target, String expected) {
        assertEquals(expected, redaction.target(target));
    }
}
