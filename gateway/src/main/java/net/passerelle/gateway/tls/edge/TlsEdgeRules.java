package net.passerelle.gateway.tls.edge;

import net.passerelle.gateway.proxy.EdgeRules;
import net.passerelle.gateway.tls.HttpsRedirect;
import net.passerelle.gateway.tls.acme.AcmeChallenges;

/** The TLS edge's answers to plain-HTTP requests: the fleet's ACME challenges, then {@code tls.redirectHttp}. */
public final class TlsEdgeRules implements EdgeRules {
    private final AcmeChallenges challenges;
    private final HttpsRedirect redirect;

    public TlsEdgeRules(AcmeChallenges challenges, HttpsRedirect redirect) {
        this.challenges = challenges;
        this.redirect = redirect;
    }

    @Override
    public String challengeAnswer(String host, String target) {
        if (target == null || !target.startsWith(HttpsRedirect.CHALLENGE_PREFIX)) {
            return null;
        }
        int query = target.indexOf('?');
        return challenges.answer(host, query < 0 ? target : target.substring(0, query));
    }

    @Override
    public String httpsRedirect(String host, String target) {
        return redirect.location(host, target);
    }
}
