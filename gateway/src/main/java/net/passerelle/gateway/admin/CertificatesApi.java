package net.passerelle.gateway.admin;

import net.passerelle.admin.api.ApiException;
import net.passerelle.admin.api.ApiRequest;
import net.passerelle.admin.api.ApiResponse;
import net.passerelle.admin.api.Handler;
import net.passerelle.admin.api.Router;
import net.passerelle.admin.model.HostNames;
import net.passerelle.gateway.tls.ServedCertificate;
import net.passerelle.gateway.tls.edge.TlsEdge;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The certificate routes.
 * <ul>
 *   <li>{@code GET /v1/certificates}: every certificate this gateway serves: {@code id} (the pair's NAME, or the
 *       host it was ordered for), {@code names}, {@code issuer}, {@code notBefore}, {@code notAfter},
 *       {@code daysLeft}, {@code source} ({@code file} or {@code acme}).</li>
 *   <li>{@code POST /v1/certificates/{host}/renew}: orders a new certificate for a routed host through ACME now,
 *       for the fleet; {@code 202 {"host", "renewal": "started"}}. The current certificate serves until the new one
 *       is in. {@code 404} for a host that is not routed, {@code 409} when ACME is off or a certificate from a file
 *       names the host (it wins over ACME, so an ordered one would never serve).</li>
 * </ul>
 */
public final class CertificatesApi {
    private final TlsEdge tls;

    public CertificatesApi(TlsEdge tls) {
        this.tls = tls;
    }

    public void register(Router router) {
        router.add("GET", "/v1/certificates", Handler.sync(this::list));
        router.add("POST", "/v1/certificates/{host}/renew", Handler.sync(this::renew));
    }

    private ApiResponse list(ApiRequest r) {
        Instant now = Instant.now();
        List<Map<String, Object>> out = tls.registry().all().stream()
                .sorted(Comparator.comparing((ServedCertificate c) -> c.source()).thenComparing(ServedCertificate::id))
                .map(c -> describe(c, now)).toList();
        return ApiResponse.ok(Map.of("certificates", out));
    }

    private static Map<String, Object> describe(ServedCertificate c, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("names", c.names().names());
        m.put("issuer", c.issuer());
        m.put("notBefore", c.notBefore().toString());
        m.put("notAfter", c.notAfter().toString());
        m.put("daysLeft", Duration.between(now, c.notAfter()).toDays());
        m.put("source", c.source().label());
        return m;
    }

    private ApiResponse renew(ApiRequest r) {
        String host = HostNames.normalize(r.param("host"));
        if (host == null) {
            throw ApiException.badRequest("'" + r.param("host") + "' is not a host name");
        }
        if (tls.acme() == null) {
            throw new ApiException(409, "acme off", "tls.acme.directory is not set: certificates from files are renewed"
                    + " by replacing their files");
        }
        if (tls.registry().fileNames(host)) {
            // An order would never be served, yet be renewed forever. (Under a file's wildcard an ordered
            // certificate, naming the host exactly, would serve.)
            throw new ApiException(409, "served from a file", "'" + host + "' is served by the certificate '"
                    + tls.registry().peek(host).id() + "' of tls.certificates.dir, which wins over ACME: renew it by"
                    + " replacing its files");
        }
        if (tls.acme().renew(host) == null) {
            throw ApiException.notFound("'" + host + "' is not in the routing table: no certificate is ordered for it");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("host", host);
        answer.put("renewal", "started");
        return ApiResponse.of(202, answer);
    }
}
