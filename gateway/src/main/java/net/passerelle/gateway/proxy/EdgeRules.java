package net.passerelle.gateway.proxy;

/**
 * What the TLS edge decides about plain-HTTP requests, asked at admission: answers to ACME HTTP-01 challenges (on
 * any gateway of the fleet) and redirects to https for hosts that have a certificate. Pure lookups in memory:
 * implementations never touch the store on the request path.
 */
public interface EdgeRules {
    /** Without TLS: no challenge is ever answered, nothing is redirected. */
    EdgeRules NONE = new EdgeRules() {
        @Override
        public String challengeAnswer(String host, String target) {
            return null;
        }

        @Override
        public String httpsRedirect(String host, String target) {
            return null;
        }
    };

    /**
     * @param target the request target as received
     * @return the key authorisation to answer {@code 200 text/plain} with, or null
     */
    String challengeAnswer(String host, String target);

    /** @return the https URL to answer {@code 308} with, or null to serve the request as it is */
    String httpsRedirect(String host, String target);
}
