package net.passerelle.gateway.policy;

/**
 * The head alone cannot decide: the classifier needs to see the body (an urlencoded or multipart form posted to a
 * URL whose class depends on a form field, e.g. Piwigo's {@code ws.php} and its {@code method} field).
 *
 * <p>The caller creates one {@link BodyPeek} per request with {@link #newPeek()}, feeds it the body chunks as they
 * arrive and holds them back from the backend until the peek answers. The peek never needs more than
 * {@link #limitBytes()} bytes: past that it answers {@link RequestClass#WRITE}.
 */
public final class NeedsBody implements HeadVerdict {
    private final ProfileClassifier classifier;
    private final RequestFacts facts;

    NeedsBody(ProfileClassifier classifier, RequestFacts facts) {
        this.classifier = classifier;
        this.facts = facts;
    }

    /** A fresh incremental reader for this request's body. */
    public BodyPeek newPeek() {
        return new FormBodyPeek(classifier, facts, classifier.bodyPeekLimitBytes());
    }

    /** The most body bytes a peek will look at (and copy) before deciding WRITE. */
    public int limitBytes() {
        return classifier.bodyPeekLimitBytes();
    }

    @Override
    public String toString() {
        return "NeedsBody[" + facts.httpMethod + " " + facts.rawUri + ", limit=" + limitBytes() + "]";
    }
}
