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
            "/profile.php?new_password=s1&x=1        | /profile.php?new_password=[redacted]&x=1",
            "/a?access_token=s2                      | /a?access_token=[redacted]",
            "/a?user[password]=s3                    | /a?user[password]=[redacted]",
            "/a?password[]=s4                        | /a?password[]=[redacted]",
            "/a?passwordConf=s5&newPWD=s6            | /a?passwordConf=[redacted]&newPWD=[redacted]",
            "/a?X-Api-Key=s7                         | /a?X-Api-Key=[redacted]",
            "/a?keyword=k&tokenizer=t&pwg_tokens=p   | /a?keyword=k&tokenizer=t&pwg_tokens=p",
            // ';' as PHP's other separator (arg_separator.input): the name is found after it, and the value is
            // masked up to the next '&' (so a token holding a ';' is not half shown where ';' separates nothing)
            "/a?a=1;password=s8&b=2                  | /a?a=1;password=[redacted]&b=2",
            "/a?token=s9;tail&b=2                    | /a?token=[redacted]&b=2",
            "/a?a=1;b=2&c=3                          | /a?a=1;b=2&c=3",
    })
    void credentialValuesAreMasked(String target, String expected) {
        assertEquals(expected, redaction.target(target));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/a?session_id=s1&id=2       | /a?session_id=[redacted]&id=2",
            "/a?SessionId=s1             | /a?SessionId=[redacted]",
            "/a?session=s1&sessions=2    | /a?session=s1&sessions=2",
    })
    void aConfiguredNameOfSeveralWordsMatchesThoseWords(String target, String expected) {
        assertEquals(expected, new Redaction(java.util.List.of("session-id")).target(target));
    }
}
