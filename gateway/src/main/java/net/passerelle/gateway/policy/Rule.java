package net.passerelle.gateway.policy;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A compiled {@link net.passerelle.gateway.config.RuleConfig}. Every condition given must hold; an absent condition holds for every request.
 *
 * <ul>
 * <li>{@code method}: the request method, exactly (methods are case-sensitive).</li>
 * <li>{@code path}: the normalised request path (decoded once, dot segments resolved, see
 *     {@link RequestFacts#path()}). A {@code read} rule needs the exact path, case included. A {@code write} or
 *     {@code refused} rule is matched loosely, so that it cannot be dodged: case-insensitively, ignoring
 *     {@code ;params} and trailing dots in segments, and also for any path below it (PATH_INFO:
 *     {@code /upload.php/x} runs {@code upload.php}).</li>
 * <li>{@code param} (+ optional {@code values}): a query-string or form parameter, names normalised as PHP does.
 *     A {@code read} rule holds when the parameter occurs and every occurrence (query and body) is a plain string in
 *     {@code values} (or any plain string without {@code values}). A {@code write} or {@code refused} rule holds when
 *     any occurrence is in {@code values} (or is an array, or, without {@code values}, when it occurs at all).
 *     Form parameters of a POST body need a body peek.</li>
 * </ul>
 */
final class Rule {
    enum Match { YES, NO, NEEDS_BODY }

    final int index;
    final String method;
    final String path;
    final String loosePath;
    final String param;
    final Set<String> values;
    final RequestClass requestClass;

    Rule(int index, String method, String path, String param, Set<String> values, RequestClass requestClass) {
        this.index = index;
        this.method = method;
        this.path = path;
        this.loosePath = path == null ? null : path.toLowerCase(Locale.ROOT);
        this.param = param;
        this.values = values;
        this.requestClass = requestClass;
    }

    Match match(RequestFacts f, Params body) {
        if (method != null && !method.equals(f.httpMethod)) {
            return Match.NO;
        }
        if (path != null && !pathMatches(f)) {
            return Match.NO;
        }
        if (param == null) {
            return Match.YES;
        }
        List<String> inQuery = f.query().all(param);
        if (requestClass == RequestClass.READ) {
            for (String v : inQuery) {
                if (!readAccepts(v)) {
                    return Match.NO;
                }
            }
            int seen = inQuery.size();
            if (f.formBody) {
                if (body == null) {
                    return Match.NEEDS_BODY;
                }
                List<String> inBody = body.all(param);
                for (String v : inBody) {
                    if (!readAccepts(v)) {
                        return Match.NO;
                    }
                }
                seen += inBody.size();
            }
            return seen > 0 ? Match.YES : Match.NO;
        }
        for (String v : inQuery) {
            if (writeAccepts(v)) {
                return Match.YES;
            }
        }
        if (f.formBody) {
            if (body == null) {
                return Match.NEEDS_BODY;
            }
            for (String v : body.all(param)) {
                if (writeAccepts(v)) {
                    return Match.YES;
                }
            }
        }
        return Match.NO;
    }

    private boolean pathMatches(RequestFacts f) {
        if (requestClass == RequestClass.READ) {
            return path.equals(f.path());
        }
        String p = f.loosePath();
        return p.equals(loosePath) || p.startsWith(loosePath.endsWith("/") ? loosePath : loosePath + "/");
    }

    private boolean readAccepts(String v) {
        return v != null && (values == null || values.contains(v));
    }

    private boolean writeAccepts(String v) {
        return values == null || v == null || values.contains(v);
    }

    @Override
    public String toString() {
        return "rule #" + index + " {method=" + method + ", path=" + path + ", param=" + param + ", values=" + values
                + ", class=" + requestClass + "}";
    }
}
