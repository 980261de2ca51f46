package net.passerelle.admin.api;

import java.util.Map;

/**
 * What a handler answers: a status and a body that is written as JSON ({@link String} bodies with a
 * {@code contentType} are written as they are, e.g. Prometheus text).
 */
public record ApiResponse(int status, Object body, String contentType, Map<String, String> headers) {

    public ApiResponse {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public static ApiResponse ok(Object body) {
        return new ApiResponse(200, body, null, null);
    }

    public static ApiResponse of(int status, Object body) {
        return new ApiResponse(status, body, null, null);
    }

    public static ApiResponse text(int status, String body, String contentType) {
        return new ApiResponse(status, body, contentType, null);
    }
}
