package net.passerelle.gateway.policy;

/**
 * Outcome of looking at a request head: either {@link Decided} (a shared constant, no allocation) or
 * {@link NeedsBody} (the classifier must see the start of the body, through a {@link BodyPeek}).
 */
public sealed interface HeadVerdict permits Decided, NeedsBody {
}
