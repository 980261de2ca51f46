package net.passerelle.gateway.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The DNS names a certificate serves: its subject alternative names ({@code dNSName}), lower-cased, with RFC 6125
 * wildcards ({@code *.example.org} covers exactly one more label: {@code a.example.org}, not {@code example.org}
 * nor {@code a.b.example.org}). A certificate without DNS SANs serves no name (the subject CN is not consulted,
 * as browsers do not consult it).
 */
public final class CertificateNames {
    private static final int SAN_DNS = 2;

    private final List<String> names;

    private CertificateNames(List<String> names) {
        this.names = List.copyOf(names);
    }

    public static CertificateNames of(List<String> names) {
        List<String> normal = new ArrayList<>();
        for (String n : names) {
            String s = n.trim().toLowerCase(Locale.ROOT);
            if (s.endsWith(".")) {
                s = s.substring(0, s.length() - 1);
            }
            if (!s.isEmpty() && !normal.contains(s)) {
                normal.add(s);
            }
        }
        return new CertificateNames(normal);
    }

    public static CertificateNames of(X509Certificate leaf) {
        List<String> dns = new ArrayList<>();
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(SAN_DNS).equals(san.get(0)) && san.get(1) instanceof String s) {
                        dns.add(s);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("unreadable subject alternative names: " + e.getMessage(), e);
        }
        return of(dns);
    }

    /** The names as written in the certificate (normalised), wildcards included. */
    public List<String> names() {
        return names;
    }

    /** True when one of the names covers {@code normalizedHost} (lower case, no trailing dot, no port). */
    public boolean covers(String normalizedHost) {
        if (normalizedHost == null || normalizedHost.isEmpty()) {
            return false;
        }
        for (String n : names) {
            if (matches(n, normalizedHost)) {
                return true;
            }
        }
        return false;
    }

    /** One pattern against one host: exact, or a leading {@code *.} standing for exactly one non-empty label. */
    public static boolean matches(String pattern, String host) {
        if (!pattern.startsWith("*.")) {
            return pattern.equals(host);
        }
        String suffix = pattern.substring(1);
        int dot = host.indexOf('.');
        return dot > 0 && host.substring(dot).equals(suffix);
    }

    @Override
    public String toString() {
        return names.toString();
    }
}
