package net.passerelle.gateway.proxy;

import io.netty.handler.codec.http.HttpRequest;
import net.passerelle.admin.model.Mode;
import net.passerelle.gateway.http.Rejection;
import net.passerelle.gateway.http.RequestValidator;
import net.passerelle.gateway.notice.NoticeKind;
import net.passerelle.gateway.policy.AccessPolicy;
import net.passerelle.gateway.policy.Action;
import net.passerelle.gateway.policy.ClassifierProfiles;
import net.passerelle.gateway.policy.Decided;
import net.passerelle.gateway.policy.HeadVerdict;
import net.passerelle.gateway.policy.NeedsBody;
import net.passerelle.gateway.policy.OpsBypass;
import net.passerelle.gateway.policy.RequestClass;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.HostRoute;
import net.passerelle.gateway.routing.RoutingTable;

import java.net.InetAddress;

/**
 * Where a request is decided: validate, route, classify, apply the group's mode. Pure: it reads the routing
 * snapshot it is given and touches no channel, so every rule is a table test. One call per request head
 * ({@link #admit}), and one more after a body peek ({@link #afterPeek}).
 *
 * <p>The snapshot's group is the request's group from here on: a mode change after this point applies to the
 * next request, never half-way through this one.
 */
public final class Admission {
    private final RequestValidator validator;
    private final ClassifierProfiles profiles;
    private final OpsBypass opsBypass;
    private final EdgeRules edge;

    public Admission(RequestValidator validator, ClassifierProfiles profiles, OpsBypass opsBypass) {
        this(validator, profiles, opsBypass, EdgeRules.NONE);
    }

    public Admission(RequestValidator validator, ClassifierProfiles profiles, OpsBypass opsBypass, EdgeRules edge) {
        this.validator = validator;
        this.profiles = profiles;
        this.opsBypass = opsBypass;
        this.edge = edge;
    }

    /**
     * @param host       the request's Host through {@code HostNormalizer.normalize} (null when missing or invalid)
     * @param client     the connection (its address for the maintenance exception list; over TLS, the names its
     *                   certificate covers; over plain HTTP, the ACME challenges and https redirects)
     * @param overloaded the gateway holds more buffered memory than its cap: new work is refused
     */
    public Admitted admit(HttpRequest request, String host, ClientInfo client, RoutingTable table, boolean overloaded) {
        Rejection rejection = validator.validate(request, host);
        if (rejection != null) {
            return rejection == Rejection.METHOD_REFUSED ? Admitted.REFUSED : Admitted.malformed(rejection);
        }
        if (overloaded) {
            return Admitted.OVERLOADED;
        }
        if (!client.serves(host)) {
            return Admitted.MISDIRECTED;
        }
        if (edge != EdgeRules.NONE && client.tlsProtocol() == null) {
            Admitted edgeAnswer = edge(request.uri(), host);
            if (edgeAnswer != null) {
                return edgeAnswer;
            }
        }
        return route(request, host, client.address(), table);
    }

    private Admitted edge(String target, String host) {
        String answer = edge.challengeAnswer(host, target);
        if (answer != null) {
            return new Admitted.AcmeChallenge(answer);
        }
        String location = edge.httpsRedirect(host, target);
        return location == null ? null : new Admitted.Redirect(location);
    }

    private Admitted route(HttpRequest request, String host, InetAddress client, RoutingTable table) {
        HostRoute route = table.route(host);
        if (route == null) {
            return Admitted.UNKNOWN_HOST;
        }
        GroupRoute group = route.group();
        Mode mode = group.mode();
        boolean ops = mode == Mode.MAINTENANCE && opsBypass.allows(client, request.headers());
        if (!AccessPolicy.needsClassification(mode)) {
            return of(AccessPolicy.decide(mode, group.writes(), null, ops), group, null);
        }
        HeadVerdict verdict = profiles.forGroup(group.profile()).classify(request);
        if (verdict instanceof Decided decided) {
            return of(AccessPolicy.decide(mode, group.writes(), decided.requestClass(), ops), group, null);
        }
        return new Admitted.PeekBody(group, (NeedsBody) verdict);
    }

    /** The decision once a body peek has classified the request (never {@link Admitted.PeekBody} again). */
    public Admitted afterPeek(GroupRoute group, RequestClass requestClass) {
        return of(AccessPolicy.decide(group.mode(), group.writes(), requestClass, false), group, null);
    }

    /** Whether {@code request} passes the maintenance exception list (its ops header is then stripped). */
    public OpsBypass opsBypass() {
        return opsBypass;
    }

    private static Admitted of(Action action, GroupRoute group, NeedsBody needs) {
        return switch (action) {
            case FORWARD -> new Admitted.Forward(group);
            case PEEK_BODY -> new Admitted.PeekBody(group, needs);
            case QUEUE -> new Admitted.Queue(group);
            case REJECT_READ_ONLY -> new Admitted.Notice(group, NoticeKind.READ_ONLY);
            case MAINTENANCE -> new Admitted.Notice(group, NoticeKind.MAINTENANCE);
            case REFUSE_METHOD -> Admitted.REFUSED;
        };
    }
}
