package net.passerelle.gateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One rule: optional {@code method}, {@code path}, {@code param} (+ {@code values}) conditions and the
 * {@code class} ({@code read}, {@code write} or {@code refused}) of the requests that meet them all. See {@code policy.Rule}
 * for the exact matching.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record RuleConfig(String method, String path, String param, List<String> values, String requestClass) {
    @JsonCreator
    public RuleConfig(@JsonProperty("method") String method,
                      @JsonProperty("path") String path,
                      @JsonProperty("param") String param,
                      @JsonProperty("values") List<String> values,
                      @JsonProperty("class") String requestClass) {
        this.method = method;
        this.path = path;
        this.param = param;
        // nulls kept (not List.copyOf) so that validation can name them instead of a bare NullPointerException
        this.values = values == null ? null : Collections.unmodifiableList(new ArrayList<>(values));
        this.requestClass = requestClass;
    }
}
