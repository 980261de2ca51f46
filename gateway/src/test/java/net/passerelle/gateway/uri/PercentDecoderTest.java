package net.passerelle.gateway.uri;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * PHP's decoding, case by case. The expected values are what {@code urldecode()} and {@code rawurldecode()} give in
 * PHP 8 (byte strings, shown here read as UTF-8). Inputs are byte strings as they come off the wire (ISO-8859-1).
 */
class PercentDecoderTest {

    @ParameterizedTest(name = "[{index}] ''{0}'' -> form ''{1}'', path ''{2}''")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            # input              | urldecode (form)  | rawurldecode (path) | invalid escape
            ''                   | ''                | ''                  | false
            abc                  | abc               | abc                 | false
            a+b                  | 'a b'             | a+b                 | false
            a%20b                | 'a b'             | 'a b'               | false
            %2B                  | +                 | +                   | false
            %2b%2F               | +/                | +/                  | false
            %                    | %                 | %                   | true
            x%                   | x%                | x%                  | true
            x%4                  | x%4               | x%4                 | true
            %zz                  | %zz               | %zz                 | true
            %4g                  | %4g               | %4g                 | true
            %g4                  | %g4               | %g4                 | true
            %%41                 | %A                | %A                  | true
            %41%                 | A%                | A%                  | true
            %2541                | %41               | %41                 | false
            100%+sure            | '100% sure'       | 100%+sure           | true
            caf%C3%A9            | café              | café                | false
            caf%c3%a9            | café              | café                | false
            %E2%82%AC%F0%9F%93%B7 | €📷              | €📷                 | false
            caf%C3               | caf\uFFFD         | caf\uFFFD           | false
            %C0%AE%C0%AE         | \uFFFD\uFFFD\uFFFD\uFFFD | \uFFFD\uFFFD\uFFFD\uFFFD | false
            """)
    void decodesLikePhp(String input, String form, String path, boolean invalid) {
        String in = unescape(input);
        assertEquals(unescape(form), PercentDecoder.decodeForm(in), "urldecode");
        assertEquals(unescape(path), PercentDecoder.decodePath(in), "rawurldecode");
        assertEquals(invalid, PercentDecoder.hasInvalidEscape(in, 0, in.length()), "invalid escape");
    }

    @org.junit.jupiter.api.Test
    void nulIsAByteLikeAnyOther() {
        assertEquals("a\0b", PercentDecoder.decodeForm("a%00b"));
        assertEquals("a\0b", PercentDecoder.decodePath("a%00b"));
    }

    @org.junit.jupiter.api.Test
    void rawBytesAboveAsciiAreCopiedAsTheBytesTheyAre() {
        // "é" sent raw in UTF-8 arrives as the two ISO-8859-1 chars C3 A9, and is those two bytes again
        String wire = new String("café".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertEquals("café ", PercentDecoder.decodeForm(wire + "+"), "the slow path, for the + sign");
        assertEquals("café%", PercentDecoder.decodePath(wire + "%"));
        // a lone latin-1 byte is not UTF-8: it is replaced, and matches no ASCII name
        assertEquals("caf\uFFFD", PercentDecoder.decodeForm("caf\u00e9+").trim());
    }

    @org.junit.jupiter.api.Test
    void textAboveTheByteRangeIsWrittenAsUtf8() {
        assertEquals("€ x", PercentDecoder.decodeForm("€+x"));
        assertEquals("📷/", PercentDecoder.decodePath("📷%2F"));
        assertEquals("/café.php", PercentDecoder.decodePath(PercentDecoder.wireForm("/café.php")));
        assertEquals("/caf%C3%A9.php", PercentDecoder.wireForm("/caf%C3%A9.php"));
    }

    @org.junit.jupiter.api.Test
    void rangesAreRespected() {
        String s = "xx%41%4";
        assertEquals("A%4", PercentDecoder.decodeForm(s, 2, s.length()));
        assertEquals("%", PercentDecoder.decodeForm(s, 2, 3), "an escape cut by the range end is not decoded");
        assertEquals(false, PercentDecoder.hasInvalidEscape(s, 0, 5));
        assertEquals(true, PercentDecoder.hasInvalidEscape(s, 0, 4));
    }

    private static String unescape(String s) {
        return s.replace("\\uFFFD", "\uFFFD");
    }
}
