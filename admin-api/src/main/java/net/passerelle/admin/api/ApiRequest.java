package net.passerelle.admin.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * One API call as a handler sees it: already authenticated, routed, and with its body read whole (bodies are
 * small JSON documents, capped by {@link AdminServer}).
 *
 * @param method     upper-case HTTP method
 * @param path       the decoded path, without query
 * @param pathParams the values of the route's {@code {name}} segments, decoded
 * @param query      decoded query parameters
 * @param actor      who the audit log will name (see {@link AdminServer#ACTOR_HEADER})
 * @param contentType the request's Content-Type, or null
 * @param body       the raw body, empty when there is none
 */
public record ApiRequest(String method, String path, Map<String, String> pathParams, Map<String, List<String>> query,
                         String actor, String contentType, byte[] body) {

    public String param(String name) {
        return pathParams.get(name);
    }

    /** The first value of a query parameter, or null. */
    public String queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * The body read as {@code type}, strictly (unknown fields refused).
     *
     * @throws ApiException 415 when the body is not declared as JSON, 400 when it is missing or not valid JSON
     *                      for {@code type}
     */
    public <T> T json(Class<T> type) {
        if (body.length == 0) {
            throw ApiException.badRequest("a JSON body is required");
        }
        requireJsonContentType();
        try {
            T value = Json.STRICT.readValue(body, type);
            if (value == null) {
                throw ApiException.badRequest("a JSON object is required, not null");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(Json.describe(e));
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("unreadable body: " + e.getMessage());
        }
    }

    /** The body as a JSON tree (validated as JSON, content type checked). */
    public JsonNode jsonTree() {
        return json(JsonNode.class);
    }

    private void requireJsonContentType() {
        String ct = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT).trim();
        int semi = ct.indexOf(';');
        String mediaType = (semi >= 0 ? ct.substring(0, semi) : ct).trim();
        if (!mediaType.equals("application/json") && !(mediaType.startsWith("application/") && mediaType.endsWith("+json"))) {
            throw new ApiException(415, "unsupported media type",
                    "the body must be JSON with Content-Type: application/json, not '" + (contentType == null ? "" : contentType) + "'");
        }
    }
}
