package net.passerelle.gateway.ctl;

/**
 * What {@code passerelle ctl} exits with, for scripts: {@value #APPLIED} done (every live gateway applied the change,
 * or the read answered), {@value #PARTIAL} applied in the store but not confirmed by every live gateway (the API's
 * 202: the laggards are named), {@value #REFUSED} refused by the API (a 4xx: nothing changed), {@value #USAGE} bad
 * command line, {@value #FAILURE} anything else (the API unreachable, or a 5xx).
 */
public final class Exit {
    public static final int APPLIED = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    public static final int PARTIAL = 3;
    public static final int REFUSED = 4;

    private Exit() {
    }

    /** @param fleetWait whether a 202 means "not every gateway confirmed" (otherwise: accepted, e.g. a replay) */
    static int of(int status, boolean fleetWait) {
        if (status == 202) {
            return fleetWait ? PARTIAL : APPLIED;
        }
        if (status >= 200 && status < 300) {
            return APPLIED;
        }
        if (status >= 400 && status < 500) {
            return REFUSED;
        }
        return FAILURE;
    }
}
