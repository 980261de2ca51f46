package net.passerelle.gateway.policy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import net.passerelle.gateway.config.ClassificationConfig;
import net.passerelle.gateway.config.RuleConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static net.passerelle.gateway.policy.ClassifierHarness.classify;
import static net.passerelle.gateway.policy.ClassifierHarness.get;
import static net.passerelle.gateway.policy.ClassifierHarness.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** User profiles from the configuration: parsing, validation and rule semantics. */
class ClassifierProfilesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static final String EXAMPLE = """
            bodyPeekLimitBytes: 4096
            profiles:
              my-gallery:
                extends: piwigo
                rules:            # first match wins, checked before the base profile
                  - { method: POST, path: "/search.php", class: read }
                  - { path: "/upload.php", class: write }
                  - { path: "/ws.php", param: "method", values: ["pwg.custom.read"], class: read }
              stricter:
                extends: my-gallery
                rules:
                  - { method: GET, path: "/feed.php", class: refused }
                  - { path: "/index.php", param: "action", values: ["logout"], class: write }
              plain:
                extends: http
                rules:
                  - { method: POST, path: "/api/search", class: read }
            """;

    private static ClassificationConfig parse(String yaml) throws Exception {
        return YAML.readValue(yaml, ClassificationConfig.class);
    }

    private static ClassifierProfiles example() throws Exception {
        return ClassifierProfiles.fromConfig(parse(EXAMPLE));
    }

    @Test
    void parsesTheDocumentedShape() throws Exception {
        ClassificationConfig cfg = parse(EXAMPLE);
        assertEquals(4096, cfg.bodyPeekLimitBytes());
        assertEquals("piwigo", cfg.profiles().get("my-gallery").base());
        RuleConfig third = cfg.profiles().get("my-gallery").rules().get(2);
        assertEquals(new RuleConfig(null, "/ws.php", "method", List.of("pwg.custom.read"), "read"), third);
        ClassifierProfiles p = ClassifierProfiles.fromConfig(cfg);
        assertEquals(List.of("piwigo", "http", "my-gallery", "stricter", "plain"), List.copyOf(p.names()));
        assertEquals("piwigo", p.defaultProfileName());
    }

    @ParameterizedTest(name = "{0} {1} -> {3} with {2}")
    @CsvSource(delimiter = '|', textBlock = """
            POST | /search.php                               | my-gallery | READ
            POST | /search.php                               | piwigo     | WRITE
            POST | /gallery/search.php                       | my-gallery | WRITE
            GET  | /upload.php                               | my-gallery | WRITE
            GET  | /UPLOAD.PHP                               | my-gallery | WRITE
            GET  | /upload.php/x                             | my-gallery | WRITE
            GET  | /upload.php;a=b                           | my-gallery | WRITE
            GET  | /%75pload.php                             | my-gallery | WRITE
            GET  | /upload.php                               | piwigo     | READ
            GET  | /ws.php?method=pwg.custom.read            | my-gallery | READ
            GET  | /ws.php?method=pwg.custom.read            | piwigo     | WRITE
            GET  | /ws.php?method=pwg.custom.read&method=pwg.images.rate | my-gallery | WRITE
            GET  | /ws.php?method=pwg.getVersion             | my-gallery | READ
            GET  | /ws.php?method=pwg.images.rate            | my-gallery | WRITE
            GET  | /picture.php?/1&action=rate              | my-gallery | WRITE
            GET  | /feed.php                                 | stricter   | REFUSED
            GET  | /FEED.PHP                                 | stricter   | REFUSED
            GET  | /feed.php                                 | my-gallery | READ
            POST | /search.php                               | stricter   | READ
            GET  | /ws.php?method=pwg.custom.read            | stricter   | READ
            GET  | /index.php?action=logout                  | stricter   | WRITE
            GET  | /index.php?action=other                   | stricter   | READ
            GET  | /index.php?action[]=x                     | stricter   | WRITE
            GET  | /ws.php?method=pwg.images.rate            | plain      | READ
            POST | /api/search                               | plain      | READ
            POST | /api/search                               | http       | WRITE
            TRACE| /search.php                               | my-gallery | REFUSED
            """)
    void rulesRefineTheirBase(String method, String uri, String profile, RequestClass expected) throws Exception {
        WriteClassifier c = example().get(profile);
        ClassifierHarness.Req req = method.equals("POST")
                ? post(uri, "application/x-www-form-urlencoded", "q=cats")
                : new ClassifierHarness.Req(method, uri, null, null, List.of(), "");
        assertEquals(expected, classify(c, req));
    }

    /** A configured path is text; the request's is the bytes a client sends for it (UTF-8, escaped or raw). */
    @Test
    void nonAsciiRulePathsMatchWhatClientsSend() throws Exception {
        ClassifierProfiles p = ClassifierProfiles.fromConfig(parse("""
                profiles:
                  accents:
                    rules:
                      - { method: POST, path: "/recherche-avancée.php", class: read }
                """));
        WriteClassifier c = p.get("accents");
        assertEquals(RequestClass.READ, classify(c, post("/recherche-avanc%C3%A9e.php", "text/plain", "x")));
        assertEquals(RequestClass.WRITE, classify(c, post("/recherche-avanc%E9e.php", "text/plain", "x")),
                "latin-1 is another path");
    }

    @Test
    void paramRulesLookIntoFormBodies() throws Exception {
        WriteClassifier c = example().get("my-gallery");
        assertEquals(RequestClass.READ, classify(c, post("/ws.php", "application/x-www-form-urlencoded",
                "method=pwg.custom.read&x=1")));
        assertEquals(RequestClass.READ, classify(c, post("/ws.php", "multipart/form-data; boundary=b",
                "--b\r\nContent-Disposition: form-data; name=\"method\"\r\n\r\npwg.custom.read\r\n--b--\r\n")));
        assertEquals(RequestClass.WRITE, classify(c, post("/ws.php?method=pwg.custom.read",
                "application/x-www-form-urlencoded", "method=pwg.custom.write")));
        WriteClassifier s = example().get("stricter");
        assertEquals(RequestClass.WRITE, classify(s, post("/index.php", "application/x-www-form-urlencoded",
                "a=1&action=logout")));
    }

    @Test
    void overrideHeaderBeatsReadRules() throws Exception {
        WriteClassifier c = example().get("my-gallery");
        ClassifierHarness.Req req = new ClassifierHarness.Req("POST", "/search.php",
                "application/x-www-form-urlencoded", "q=x".getBytes(),
                List.<String[]>of(new String[] {"X-HTTP-Method-Override", "DELETE"}), "");
        assertEquals(RequestClass.WRITE, classify(c, req));
    }

    @Test
    void defaultsWithoutConfiguration() {
        ClassifierProfiles p = ClassifierProfiles.fromConfig(null);
        assertEquals(ClassificationConfig.DEFAULT_BODY_PEEK_LIMIT_BYTES, p.bodyPeekLimitBytes());
        assertEquals(RequestClass.WRITE, classify(p.defaultClassifier(), get("/ws.php?method=pwg.images.rate")));
        assertTrue(p.find("nope").isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.get("nope"));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void unknownKeysAreErrors() {
        assertThrows(UnrecognizedPropertyException.class, () -> parse("bodyPeekLimit: 10"));
        assertThrows(UnrecognizedPropertyException.class, () -> parse("profiles: { a: { extend: piwigo } }"));
        assertThrows(UnrecognizedPropertyException.class,
                () -> parse("profiles: { a: { rules: [ { path: /x, klass: read } ] } }"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            unknown class       | profiles: { g: { rules: [ { path: /x, class: write }, { path: /y, class: maybe } ] } } | classification.profiles.g.rules[1].class: unknown class 'maybe'
            missing class       | profiles: { g: { rules: [ { path: /x } ] } }                             | classification.profiles.g.rules[0].class: missing
            unknown base        | profiles: { g: { extends: wordpress } }                                  | classification.profiles.g.extends: unknown profile 'wordpress'
            cycle               | profiles: { a: { extends: b }, b: { extends: c }, c: { extends: a } }    | cycle
            self cycle          | profiles: { a: { extends: a } }                                          | classification.profiles.a.extends: cycle a -> a
            relative path       | profiles: { g: { rules: [ { path: x.php, class: read } ] } }             | classification.profiles.g.rules[0].path: 'x.php' must start with '/'
            path with query     | profiles: { g: { rules: [ { path: "/x.php?a=1", class: read } ] } }      | classification.profiles.g.rules[0].path
            values without param| profiles: { g: { rules: [ { values: [a], class: read } ] } }             | classification.profiles.g.rules[0].values: given without param
            null value          | profiles: { g: { rules: [ { param: a, values: [b, ~], class: read } ] } } | classification.profiles.g.rules[0].values: must be a non-empty list
            empty values        | profiles: { g: { rules: [ { param: a, values: [], class: read } ] } }    | classification.profiles.g.rules[0].values
            bad method          | profiles: { g: { rules: [ { method: "GE T", class: read } ] } }          | classification.profiles.g.rules[0].method
            read TRACE          | profiles: { g: { rules: [ { method: TRACE, class: read } ] } }           | classification.profiles.g.rules[0]: TRACE is always refused
            redefine built-in   | profiles: { piwigo: { rules: [] } }                                      | classification.profiles.piwigo: 'piwigo' is a built-in profile
            limit too small     | bodyPeekLimitBytes: 0                                                    | classification.bodyPeekLimitBytes: 0 is out of range
            limit too large     | bodyPeekLimitBytes: 99999999                                             | classification.bodyPeekLimitBytes
            unknown default     | defaultProfile: nope                                                     | classification.defaultProfile: unknown profile 'nope'
            """)
    void badValuesAreNamed(String what, String yaml, String message) throws Exception {
        ClassificationConfig cfg = parse(yaml);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassifierProfiles.fromConfig(cfg));
        assertTrue(e.getMessage().contains(message), what + ": " + e.getMessage());
    }

    /** Every way of signing in or out follows one setting: all reads by default, all writes when switched off. */
    @ParameterizedTest(name = "{0} {1} -> {2} by default, {3} without sign-in")
    @CsvSource(delimiter = '|', textBlock = """
            GET  | /identification.php                          | READ  | WRITE
            POST | /identification.php                          | READ  | WRITE
            HEAD | /gallery/Identification.php                  | READ  | WRITE
            GET  | /identification                              | READ  | WRITE
            PUT  | /identification.php                          | WRITE | WRITE
            POST | /ws.php?format=json&method=pwg.session.login | READ  | WRITE
            GET  | /ws.php?method=pwg.session.logout            | READ  | WRITE
            GET  | /ws.php?method=pwg.session.getStatus         | READ  | READ
            GET  | /index.php?act=logout                        | READ  | WRITE
            GET  | /?act=logout                                 | READ  | WRITE
            GET  | /picture.php?/12&act=logout                  | READ  | WRITE
            GET  | /index.php?act[]=logout                      | READ  | WRITE
            GET  | /index.php?act=logoutx                       | READ  | READ
            GET  | /index.php?ACT=logout                        | READ  | READ
            POST | /register.php                                | WRITE | WRITE
            POST | /password.php                                | WRITE | WRITE
            TRACE| /identification.php                          | REFUSED | REFUSED
            """)
    void signingInIsOneRule(String method, String uri, RequestClass byDefault, RequestClass without) throws Exception {
        ClassifierHarness.Req req = method.equals("POST")
                ? post(uri, "application/x-www-form-urlencoded", "username=a&password=b")
                : new ClassifierHarness.Req(method, uri, null, null, List.of(), "");
        ClassifierProfiles defaults = ClassifierProfiles.fromConfig(parse("bodyPeekLimitBytes: 4096"));
        ClassifierProfiles off = ClassifierProfiles.fromConfig(parse("""
                signInDuringReadOnly: false
                profiles:
                  mine: { extends: piwigo, rules: [] }
                """));
        assertEquals(byDefault, classify(defaults.get("piwigo"), req), "default");
        assertEquals(without, classify(off.get("piwigo"), req), "signInDuringReadOnly: false");
        assertEquals(without, classify(off.get("mine"), req), "a profile extending piwigo follows the setting");
        assertEquals(byDefault, classify(ClassifierProfiles.builtIn().get("piwigo"), req), "built-in");
    }

    @Test
    void userProfilesCanBeTheDefault() throws Exception {
        ClassifierProfiles p = ClassifierProfiles.fromConfig(parse(EXAMPLE + "defaultProfile: my-gallery\n"));
        assertEquals(RequestClass.READ, classify(p.defaultClassifier(),
                post("/search.php", "application/x-www-form-urlencoded", "q=x")));
        assertEquals(Map.of(), ClassificationConfig.defaults().profiles());
    }
}
