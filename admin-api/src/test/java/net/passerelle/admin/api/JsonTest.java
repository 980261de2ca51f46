package net.passerelle.admin.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** How request bodies are read, and what a refused one is told. */
class JsonTest {
    record Body(String mode, Integer retryAfterSeconds, Map<String, String> message, List<String> backends,
                Instant start) {
    }

    private static String refusal(String json) {
        JsonProcessingException e = assertThrows(JsonProcessingException.class, () -> Json.STRICT.readValue(json, Body.class),
                json);
        return Json.describe(e);
    }

    @Test
    void aFieldGivenTwiceIsRefusedRatherThanTheLastOneWinning() {
        // Bound without this, it would set the mode to open while a reader of the request sees read-only first.
        String detail = refusal("{\"mode\": \"read-only\", \"mode\": \"open\"}");
        assertEquals("not valid JSON: Duplicate field 'mode'", detail);
        refusal("{\"message\": {\"en\": \"a\", \"en\": \"b\"}}");
    }

    @Test
    void aValueOfTheWrongTypeIsNamedInJsonTermsNotJavaOnes() {
        assertEquals("field 'mode': expected a string", refusal("{\"mode\": 1}"));
        assertEquals("field 'retryAfterSeconds': expected a whole number", refusal("{\"retryAfterSeconds\": \"5\"}"));
        assertEquals("field 'retryAfterSeconds': expected a whole number", refusal("{\"retryAfterSeconds\": 1.5}"));
        assertEquals("field 'message': expected a JSON object", refusal("{\"message\": []}"));
        assertEquals("field 'message.en': expected a string", refusal("{\"message\": {\"en\": 3}}"));
        assertEquals("field 'backends': expected a list", refusal("{\"backends\": \"127.0.0.1:80\"}"));
        assertEquals("field 'start': expected an ISO-8601 instant as a string", refusal("{\"start\": \"tomorrow\"}"));
        assertEquals("the body must be a JSON object", refusal("\"open\""));
        assertEquals("the body must be a JSON object", refusal("[1, 2]"));
    }

    @Test
    void noRefusalNamesAJavaClassOrJacksonSetting() {
        for (String json : List.of("{\"mode\": 1}", "{\"message\": []}", "\"open\"", "{\"backends\": \"x:1\"}",
                "{\"retryAfterSeconds\": \"5\"}", "{\"start\": \"tomorrow\"}")) {
            String detail = refusal(json);
            assertFalse(detail.contains("java.") || detail.contains("$") || detail.contains("Coercion"), detail);
        }
    }

    @Test
    void aWellFormedBodyIsStillRead() throws Exception {
        Body b = Json.STRICT.readValue("{\"mode\": \"open\", \"retryAfterSeconds\": 5, \"message\": {\"en\": \"x\"}, "
                + "\"backends\": [\"127.0.0.1:80\"], \"start\": \"2026-11-22T08:00:00Z\"}", Body.class);
        assertEquals("open", b.mode());
        assertEquals(Instant.parse("2026-11-22T08:00:00Z"), b.start());
    }
}
