package net.passerelle.gateway.policy;

import net.passerelle.gateway.config.ClassificationConfig;
import net.passerelle.gateway.config.ProfileConfig;
import net.passerelle.gateway.config.RuleConfig;
import net.passerelle.gateway.uri.PercentDecoder;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The named write classifiers: the built-in {@code piwigo} (the default) and {@code http} (methods only), and the
 * profiles of the configuration, each extending a built-in or another user profile with rules. Immutable.
 */
public final class ClassifierProfiles {
    public static final String PIWIGO = "piwigo";
    public static final String HTTP = "http";

    private final Map<String, ProfileClassifier> profiles;
    private final String defaultProfile;
    private final int bodyPeekLimitBytes;

    private ClassifierProfiles(Map<String, ProfileClassifier> profiles, String defaultProfile, int limit) {
        this.profiles = Collections.unmodifiableMap(profiles);
        this.defaultProfile = defaultProfile;
        this.bodyPeekLimitBytes = limit;
    }

    /** Only the built-in profiles, with the default peek limit. */
    public static ClassifierProfiles builtIn() {
        return fromConfig(ClassificationConfig.defaults());
    }

    /**
     * Builds and checks the profiles of a configuration ({@code null} means defaults).
     *
     * @throws IllegalArgumentException naming the profile and rule index of the first bad value
     */
    public static ClassifierProfiles fromConfig(ClassificationConfig config) {
        ClassificationConfig cfg = config == null ? ClassificationConfig.defaults() : config;
        int limit = cfg.bodyPeekLimitBytes() == null
                ? ClassificationConfig.DEFAULT_BODY_PEEK_LIMIT_BYTES : cfg.bodyPeekLimitBytes();
        if (limit < 1 || limit > ClassificationConfig.MAX_BODY_PEEK_LIMIT_BYTES) {
            throw new IllegalArgumentException("classification.bodyPeekLimitBytes: " + limit
                    + " is out of range (1.." + ClassificationConfig.MAX_BODY_PEEK_LIMIT_BYTES + ")");
        }
        Map<String, ProfileClassifier> built = new LinkedHashMap<>();
        built.put(PIWIGO, new ProfileClassifier(PIWIGO, List.of(), PiwigoProfile.of(cfg.signInDuringReadOnly()), limit));
        built.put(HTTP, new ProfileClassifier(HTTP, List.of(), BaseProfile.HTTP, limit));
        for (String name : cfg.profiles().keySet()) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("classification.profiles: a profile has an empty name");
            }
            if (built.containsKey(name)) {
                throw new IllegalArgumentException("classification.profiles." + name
                        + ": '" + name + "' is a built-in profile and cannot be redefined (extend it instead)");
            }
        }
        for (String name : cfg.profiles().keySet()) {
            build(name, cfg.profiles(), built, new LinkedHashSet<>(), limit);
        }
        String def = cfg.defaultProfile() == null ? PIWIGO : cfg.defaultProfile();
        if (!built.containsKey(def)) {
            throw new IllegalArgumentException("classification.defaultProfile: unknown profile '" + def
                    + "' (known: " + String.join(", ", built.keySet()) + ")");
        }
        return new ClassifierProfiles(built, def, limit);
    }

    private static ProfileClassifier build(String name, Map<String, ProfileConfig> configs,
                                           Map<String, ProfileClassifier> built, LinkedHashSet<String> path,
                                           int limit) {
        ProfileClassifier done = built.get(name);
        if (done != null) {
            return done;
        }
        if (!path.add(name)) {
            List<String> cycle = new ArrayList<>(path);
            cycle = cycle.subList(cycle.indexOf(name), cycle.size());
            throw new IllegalArgumentException("classification.profiles." + name + ".extends: cycle "
                    + String.join(" -> ", cycle) + " -> " + name);
        }
        ProfileConfig pc = configs.get(name);
        if (pc == null) {
            throw new IllegalArgumentException("classification.profiles." + name + ": null profile");
        }
        String baseName = pc.base() == null ? PIWIGO : pc.base();
        if (!built.containsKey(baseName) && !configs.containsKey(baseName)) {
            throw new IllegalArgumentException("classification.profiles." + name + ".extends: unknown profile '"
                    + baseName + "' (known: " + String.join(", ", union(built.keySet(), configs.keySet())) + ")");
        }
        ProfileClassifier parent = build(baseName, configs, built, path, limit);
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < pc.rules().size(); i++) {
            rules.add(compile(name, i, pc.rules().get(i)));
        }
        rules.addAll(parent.rules());
        // the parent's rules already include its own parents' rules; the base is the built-in one at the root
        ProfileClassifier pcl = new ProfileClassifier(name, rules, parent.baseProfile(), limit);
        built.put(name, pcl);
        path.remove(name);
        return pcl;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new LinkedHashSet<>(a);
        s.addAll(b);
        return s;
    }

    private static Rule compile(String profile, int index, RuleConfig rc) {
        String where = "classification.profiles." + profile + ".rules[" + index + "]";
        if (rc == null) {
            throw new IllegalArgumentException(where + ": empty rule");
        }
        if (rc.requestClass() == null) {
            throw new IllegalArgumentException(where + ".class: missing (read, write or refused)");
        }
        RequestClass cls = switch (rc.requestClass().trim().toLowerCase(Locale.ROOT)) {
            case "read" -> RequestClass.READ;
            case "write" -> RequestClass.WRITE;
            case "refused", "refuse" -> RequestClass.REFUSED;
            default -> throw new IllegalArgumentException(where + ".class: unknown class '" + rc.requestClass()
                    + "' (expected read, write or refused)");
        };
        String method = null;
        if (rc.method() != null) {
            method = rc.method().trim().toUpperCase(Locale.ROOT);
            if (method.isEmpty() || !method.chars().allMatch(ClassifierProfiles::isTokenChar)) {
                throw new IllegalArgumentException(where + ".method: '" + rc.method() + "' is not an HTTP method");
            }
            if (cls == RequestClass.READ && (method.equals("TRACE") || method.equals("CONNECT"))) {
                throw new IllegalArgumentException(where + ": " + method + " is always refused, it cannot be read");
            }
        }
        String path = null;
        if (rc.path() != null) {
            if (!rc.path().startsWith("/")) {
                throw new IllegalArgumentException(where + ".path: '" + rc.path() + "' must start with '/'");
            }
            if (rc.path().indexOf('?') >= 0 || rc.path().indexOf('#') >= 0) {
                throw new IllegalArgumentException(where + ".path: '" + rc.path()
                        + "' must be a path without query (use param and values for parameters)");
            }
            path = RequestFacts.normalisePath(PercentDecoder.wireForm(rc.path())); // text, not a byte string
        }
        String param = null;
        if (rc.param() != null) {
            if (rc.param().isEmpty()) {
                throw new IllegalArgumentException(where + ".param: empty parameter name");
            }
            param = rc.param();
        }
        Set<String> values = null;
        if (rc.values() != null) {
            if (param == null) {
                throw new IllegalArgumentException(where + ".values: given without param");
            }
            if (rc.values().isEmpty() || rc.values().stream().anyMatch(v -> v == null)) {
                throw new IllegalArgumentException(where + ".values: must be a non-empty list of strings");
            }
            values = Set.copyOf(new HashSet<>(rc.values()));
        }
        return new Rule(index, method, path, param, values, cls);
    }

    private static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }

    /** The classifier named {@code name}. @throws IllegalArgumentException for an unknown name */
    public WriteClassifier get(String name) {
        ProfileClassifier p = profiles.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown classification profile '" + name + "' (known: "
                    + String.join(", ", profiles.keySet()) + ")");
        }
        return p;
    }

    public Optional<WriteClassifier> find(String name) {
        return Optional.ofNullable(profiles.get(name));
    }

    /**
     * The classifier of a group's profile, for the request path: the default one when the name is unknown (a store
     * edited by hand), never "everything reads". One map lookup, nothing allocated.
     */
    public WriteClassifier forGroup(String name) {
        ProfileClassifier p = profiles.get(name);
        return p != null ? p : profiles.get(defaultProfile);
    }

    /** The classifier of {@code classification.defaultProfile} ({@code piwigo} unless configured). */
    public WriteClassifier defaultClassifier() {
        return profiles.get(defaultProfile);
    }

    public String defaultProfileName() {
        return defaultProfile;
    }

    public Set<String> names() {
        return profiles.keySet();
    }

    public int bodyPeekLimitBytes() {
        return bodyPeekLimitBytes;
    }
}
