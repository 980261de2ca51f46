package net.passerelle.gateway.proxy;

import net.passerelle.gateway.http.Rejection;
import net.passerelle.gateway.notice.NoticeKind;
import net.passerelle.gateway.policy.NeedsBody;
import net.passerelle.gateway.routing.GroupRoute;

/**
 * What {@link Admission} decided about a request head: a closed set, and the exchange MUST act on it as named.
 * Only {@link Forward} lets anything of the request reach a backend; {@link PeekBody} reads (and holds) the body's
 * start and asks {@link Admission#afterPeek} again.
 */
public sealed interface Admitted {

    /** Proxy it to the group's backends. */
    record Forward(GroupRoute group) implements Admitted {
    }

    /** The head cannot decide: read the body's start (bounded by the peek), then decide again. */
    record PeekBody(GroupRoute group, NeedsBody needs) implements Admitted {
    }

    /** A write to a read-only group whose writes are queued: spool it, answer 202 once it is on disk. */
    record Queue(GroupRoute group) implements Admitted {
    }

    /** The group's read-only or maintenance notice (503, Retry-After); nothing is forwarded. */
    record Notice(GroupRoute group, NoticeKind kind) implements Admitted {
    }

    /** No gallery at this Host: the 404 page; no backend is contacted. */
    record UnknownHost() implements Admitted {
    }

    /** Malformed, ambiguous or over a limit (400, 413, 414, 431): answered, and the connection is closed. */
    record Malformed(Rejection rejection) implements Admitted {
    }

    /** A method the gateway never proxies (TRACE, CONNECT): 405, the connection stays usable. */
    record Refused() implements Admitted {
    }

    /** A Host the connection's TLS certificate does not cover: 421, the client should connect again for it. */
    record Misdirected() implements Admitted {
    }

    /** A plain-HTTP request for a host served over https: 308 to this location. */
    record Redirect(String location) implements Admitted {
    }

    /** An ACME HTTP-01 challenge of the fleet's: 200 with this key authorisation. */
    record AcmeChallenge(String keyAuthorization) implements Admitted {
    }

    /** The gateway holds too much memory for clients already: 503 now, rather than failing later. */
    record Overloaded() implements Admitted {
    }

    Admitted UNKNOWN_HOST = new UnknownHost();
    Admitted REFUSED = new Refused();
    Admitted OVERLOADED = new Overloaded();
    Admitted MISDIRECTED = new Misdirected();

    static Admitted malformed(Rejection r) {
        return MalformedCache.ALL[r.ordinal()];
    }

    /** One instance per rejection: admission allocates nothing for group-less outcomes. */
    final class MalformedCache {
        private static final Admitted[] ALL = build();

        private MalformedCache() {
        }

        private static Admitted[] build() {
            Rejection[] values = Rejection.values();
            Admitted[] all = new Admitted[values.length];
            for (Rejection r : values) {
                all[r.ordinal()] = new Malformed(r);
            }
            return all;
        }
    }
}
