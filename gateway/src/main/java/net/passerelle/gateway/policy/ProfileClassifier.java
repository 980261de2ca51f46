package net.passerelle.gateway.policy;

import io.netty.handler.codec.http.HttpRequest;

import java.util.List;

/**
 * A profile: a list of rules (first match wins) in front of a built-in base ({@code http} or {@code piwigo}).
 * Before any rule: {@code TRACE} and {@code CONNECT} are refused and a method-override header makes a write.
 */
final class ProfileClassifier implements WriteClassifier {
    /** Headers by which clients and frameworks tunnel another method through POST or GET: any value is a write. */
    static final List<String> OVERRIDE_HEADERS = List.of("X-HTTP-Method-Override", "X-HTTP-Method",
            "X-Method-Override");

    private final String name;
    private final List<Rule> rules;
    private final BaseProfile base;
    private final int bodyPeekLimitBytes;

    ProfileClassifier(String name, List<Rule> rules, BaseProfile base, int bodyPeekLimitBytes) {
        this.name = name;
        this.rules = List.copyOf(rules);
        this.base = base;
        this.bodyPeekLimitBytes = bodyPeekLimitBytes;
    }

    String name() {
        return name;
    }

    int bodyPeekLimitBytes() {
        return bodyPeekLimitBytes;
    }

    List<Rule> rules() {
        return rules;
    }

    BaseProfile baseProfile() {
        return base;
    }

    @Override
    public HeadVerdict classify(HttpRequest head) {
        String method = head.method().name();
        if (method.equals("TRACE") || method.equals("CONNECT")) {
            return Decided.REFUSED;
        }
        for (String h : OVERRIDE_HEADERS) {
            if (head.headers().contains(h)) {
                return Decided.WRITE;
            }
        }
        RequestFacts facts;
        try {
            facts = RequestFacts.of(head);
        } catch (IllegalArgumentException e) {
            return Decided.WRITE;
        }
        RequestClass c = evaluate(facts, null);
        if (c != null) {
            return Decided.of(c);
        }
        if (!facts.formBody || facts.contentEncoded || facts.contentLength > bodyPeekLimitBytes
                || (facts.formKind == RequestFacts.FormKind.MULTIPART && facts.boundary == null)) {
            // the body cannot be read here (compressed, malformed, or longer than the limit): assume the worst
            return Decided.WRITE;
        }
        return new NeedsBody(this, facts);
    }

    /** The class, or null when a form body is needed and {@code body} is null. */
    RequestClass evaluate(RequestFacts facts, Params body) {
        for (Rule rule : rules) {
            switch (rule.match(facts, body)) {
                case YES:
                    return rule.requestClass;
                case NEEDS_BODY:
                    return null;
                default:
                    break;
            }
        }
        return base.evaluate(facts, body);
    }

    @Override
    public String toString() {
        return "WriteClassifier[" + name + ", " + rules.size() + " rule(s), peek limit " + bodyPeekLimitBytes + "]";
    }
}
