package net.passerelle.admin.api;

import java.util.Map;

/**
 * A refusal the API answers with a JSON error {@code {"error": "...", "detail": "...", ...extra}} and a 4xx/5xx status.
 * Thrown before anything is changed: a refused call leaves the store as it was.
 */
public class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;
    private final transient Map<String, Object> extra;

    public ApiException(int status, String error, String detail) {
        this(status, error, detail, Map.of());
    }

    public ApiException(int status, String error, String detail, Map<String, Object> extra) {
        super(error + ": " + detail);
        this.status = status;
        this.error = error;
        this.extra = Map.copyOf(extra);
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(400, "bad request", detail);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, "not found", detail);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public String detail() {
        return super.getMessage().substring(error.length() + 2);
    }

    /** More fields of the error document (e.g. the hosts that use a group). */
    public Map<String, Object> extra() {
        return extra;
    }
}
