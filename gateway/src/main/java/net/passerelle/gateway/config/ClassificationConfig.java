package net.passerelle.gateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code classification:} section of the configuration.
 *
 * <pre>
 * classification:
 *   bodyPeekLimitBytes: 4096     # default 4096; 1 .. 1048576
 *   defaultProfile: piwigo       # default piwigo
 *   signInDuringReadOnly: true   # default true: Piwigo sign-in and sign-out pass in read-only (see PiwigoProfile)
 *   profiles:
 *     my-gallery:
 *       extends: piwigo          # piwigo (default), http, or another user profile
 *       rules:                   # first match wins, checked before the base profile's
 *         - { method: POST, path: "/search.php", class: read }
 *         - { path: "/upload.php", class: write }
 *         - { path: "/ws.php", param: "method", values: ["pwg.custom.read"], class: read }
 * </pre>
 * A plain record: the policy package checks the values when it compiles the rules
 * ({@code net.passerelle.gateway.policy.ClassifierProfiles.fromConfig}).
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record ClassificationConfig(Integer bodyPeekLimitBytes, String defaultProfile,
                                   Map<String, ProfileConfig> profiles, Boolean signInDuringReadOnly) {
    public static final int DEFAULT_BODY_PEEK_LIMIT_BYTES = 4096;
    public static final int MAX_BODY_PEEK_LIMIT_BYTES = 1 << 20;

    @JsonCreator
    public ClassificationConfig(@JsonProperty("bodyPeekLimitBytes") Integer bodyPeekLimitBytes,
                                @JsonProperty("defaultProfile") String defaultProfile,
                                @JsonProperty("profiles") Map<String, ProfileConfig> profiles,
                                @JsonProperty("signInDuringReadOnly") Boolean signInDuringReadOnly) {
        this.bodyPeekLimitBytes = bodyPeekLimitBytes;
        this.defaultProfile = defaultProfile;
        // insertion order kept: profiles are listed in configuration order
        this.profiles = profiles == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(profiles));
        this.signInDuringReadOnly = signInDuringReadOnly == null ? Boolean.TRUE : signInDuringReadOnly;
    }

    public ClassificationConfig(Integer bodyPeekLimitBytes, String defaultProfile, Map<String, ProfileConfig> profiles) {
        this(bodyPeekLimitBytes, defaultProfile, profiles, null);
    }

    /** Built-in defaults: 4 KiB, profile {@code piwigo}, no user profiles. */
    public static ClassificationConfig defaults() {
        return new ClassificationConfig(null, null, null);
    }
}
