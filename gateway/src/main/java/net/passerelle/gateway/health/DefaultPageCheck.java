package net.passerelle.gateway.health;

/**
 * Looks at what a health check got back for a web server's default page ("Welcome to nginx!", "Apache2 Debian
 * Default Page"): a backend that serves one for the group's host is mis-configured, and a check that finds one
 * fails, however good its status. Kept as an interface so that health does not depend on the policy package; the
 * gateway wires it to the default-page guard's fingerprints.
 */
public interface DefaultPageCheck {
    /** No inspection: checks judge the status alone and read no body. */
    DefaultPageCheck NONE = new DefaultPageCheck() {
        @Override
        public int scanBytes() {
            return 0;
        }

        @Override
        public String fingerprint(String contentType, String contentEncoding, byte[] start) {
            return null;
        }
    };

    /** How much of a check's body to read (0: none). */
    int scanBytes();

    /** The fingerprint found in the first bytes of a response body, or null. */
    String fingerprint(String contentType, String contentEncoding, byte[] start);
}
