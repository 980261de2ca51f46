package net.passerelle.admin.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.time.temporal.TemporalAccessor;
import java.util.Collection;
import java.util.Map;

/**
 * The API's JSON: strict reading (unknown fields, duplicate fields, wrong types and trailing data refused), ISO-8601
 * instants.
 */
public final class Json {

    /** Reads request bodies strictly; writes answers. */
    public static final ObjectMapper STRICT = build();

    private Json() {
    }

    private static ObjectMapper build() {
        ObjectMapper m = JsonMapper.builder()
                // {"mode": "read-only", "mode": "open"} means what the last parser to read it decides (Jackson binds
                // the last, a reviewing tool may show the first): refused, as FAIL_ON_READING_DUP_TREE_KEY does for trees.
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        return m;
    }

    /** A short, client-facing description of why a body was not accepted. */
    static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "'";
        }
        String where = "";
        if (e instanceof JsonMappingException jm && !jm.getPath().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (JsonMappingException.Reference r : jm.getPath()) {
                if (r.getFieldName() != null) {
                    sb.append(sb.isEmpty() ? "" : ".").append(r.getFieldName());
                } else if (r.getIndex() >= 0) {
                    sb.append('[').append(r.getIndex()).append(']');
                }
            }
            where = "field '" + sb + "': ";
        }
        if (e instanceof MismatchedInputException mi && mi.getTargetType() != null && !mi.getTargetType().isEnum()) {
            // Jackson's own words name Java classes (`java.lang.String`, our request records) and its CoercionConfig,
            // as if the caller could enable it: what the caller needs is the JSON type that was expected.
            return (where.isEmpty() ? "the body must be " : where + "expected ") + shape(mi.getTargetType());
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root instanceof JsonProcessingException jp ? jp.getOriginalMessage() : root.getMessage();
        if (msg != null && msg.length() > 300) {
            msg = msg.substring(0, 300) + "…";
        }
        return (e instanceof JsonMappingException ? "" : "not valid JSON: ") + where + msg;
    }

    /** The JSON shape that binds to {@code type}, in the caller's terms. */
    private static String shape(Class<?> type) {
        if (CharSequence.class.isAssignableFrom(type)) {
            return "a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (TemporalAccessor.class.isAssignableFrom(type)) {
            return "an ISO-8601 instant as a string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return Map.class.isAssignableFrom(type) || type.isRecord() ? "a JSON object" : "a value of another type";
    }
}
