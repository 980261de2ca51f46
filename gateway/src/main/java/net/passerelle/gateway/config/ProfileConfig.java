package net.passerelle.gateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** A user-defined profile: rules checked in order before those of the profile it extends (default {@code piwigo}). */
@JsonIgnoreProperties(ignoreUnknown = false)
public record ProfileConfig(String base, List<RuleConfig> rules) {
    @JsonCreator
    public ProfileConfig(@JsonProperty("extends") String base,
                         @JsonProperty("rules") List<RuleConfig> rules) {
        this.base = base;
        this.rules = rules == null ? List.of() : List.copyOf(rules);
    }
}
