package net.passerelle.gateway.config;

import net.passerelle.admin.model.HostPort;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Refuses two listeners on one address (the plain listeners, the TLS listeners and the admin API's). Without this
 * check {@code --check} said OK and start-up then failed on its own duplicate with "address already in use". Two
 * addresses clash when they name the same host and port, or when one is the wildcard of the other's family
 * ({@code 0.0.0.0:443} and {@code 127.0.0.1:443}); IPv4 and IPv6 wildcards do not clash (the listeners are IPv6-only,
 * which is how the defaults listen on both). Port 0 asks for a fresh port each time, so it never clashes.
 */
final class ListenAddresses {
    private ListenAddresses() {
    }

    private record Listen(HostPort address, String[] keys) {
        String path() {
            return ConfigLoader.join(List.of(keys));
        }
    }

    static void check(List<HostPort> listeners, List<HostPort> tlsListeners, HostPort admin) {
        List<Listen> all = new ArrayList<>();
        for (int i = 0; i < listeners.size(); i++) {
            all.add(new Listen(listeners.get(i), new String[]{"listeners", "[" + i + "]"}));
        }
        for (int i = 0; i < tlsListeners.size(); i++) {
            all.add(new Listen(tlsListeners.get(i), new String[]{"tls", "listeners", "[" + i + "]"}));
        }
        if (admin != null) {
            all.add(new Listen(admin, new String[]{"admin", "listen"}));
        }
        for (int i = 1; i < all.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (clash(all.get(i).address(), all.get(j).address())) {
                    throw new BadEntry(all.get(i).path() + ": " + all.get(i).address() + " is already listened on by "
                            + all.get(j).path() + " (" + all.get(j).address() + ")", all.get(i).keys());
                }
            }
        }
    }

    static boolean clash(HostPort a, HostPort b) {
        if (a.port() != b.port() || a.port() == 0) {
            return false;
        }
        String x = a.host().toLowerCase(Locale.ROOT);
        String y = b.host().toLowerCase(Locale.ROOT);
        if (x.equals(y)) {
            return true;
        }
        boolean v6x = x.indexOf(':') >= 0;
        boolean v6y = y.indexOf(':') >= 0;
        if (v6x != v6y) {
            return false;
        }
        return v6x ? isWildcard6(x) && isLiteral(y) || isWildcard6(y) && isLiteral(x)
                : x.equals("0.0.0.0") && isLiteral(y) || y.equals("0.0.0.0") && isLiteral(x);
    }

    private static boolean isWildcard6(String host) {
        return host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    /** An IP literal: a name may resolve to another family, so only literals are compared with a wildcard. */
    private static boolean isLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9');
    }
}
