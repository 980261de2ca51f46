package net.passerelle.gateway.policy;

import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;

/**
 * The read-only decision: given a group's mode and write policy, what a request of a given class gets. Pure and
 * allocation-free; the proxy asks it once per request head (and once more after a body peek).
 *
 * <p>The ops exception (trusted networks or the ops header) only opens maintenance: in read-only mode a write is
 * never forwarded, whoever sends it, because "read-only" is the promise the migration relies on.
 */
public final class AccessPolicy {
    private AccessPolicy() {
    }

    /**
     * @param requestClass the class, or null when the head alone could not decide (then the answer may be
     *                     {@link Action#PEEK_BODY})
     * @param opsBypass    the request comes from ops (allowed network or ops header with the right secret)
     */
    public static Action decide(Mode mode, WritePolicy writes, RequestClass requestClass, boolean opsBypass) {
        if (requestClass == RequestClass.REFUSED) {
            return Action.REFUSE_METHOD;
        }
        switch (mode) {
            case OPEN:
                return Action.FORWARD;
            case MAINTENANCE:
                return opsBypass ? Action.FORWARD : Action.MAINTENANCE;
            case READ_ONLY:
            default:
                if (requestClass == null) {
                    return Action.PEEK_BODY;
                }
                if (requestClass == RequestClass.READ) {
                    return Action.FORWARD;
                }
                return writes == WritePolicy.QUEUE ? Action.QUEUE : Action.REJECT_READ_ONLY;
        }
    }

    /** Whether the mode needs the request classified at all (open and maintenance do not: that work is skipped). */
    public static boolean needsClassification(Mode mode) {
        return mode == Mode.READ_ONLY;
    }
}
