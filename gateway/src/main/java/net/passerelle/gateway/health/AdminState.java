package net.passerelle.gateway.health;

import java.util.Locale;

/**
 * What ops decided about a backend, in HAProxy's vocabulary. Independent of what the checks find.
 * <ul>
 *   <li>{@code ready}: takes traffic when its checks say it is up.</li>
 *   <li>{@code drain}: takes no new request; requests already forwarded to it finish there (the proxy holds its
 *       backend per exchange). Still checked, so its health stays known for when it is made ready again.</li>
 *   <li>{@code maint}: out completely: no new request, not checked, never chosen even as a last resort. When it is
 *       made ready again it starts {@code down} and has to pass {@code rise} checks before it takes traffic.</li>
 * </ul>
 */
public enum AdminState {
    READY, DRAIN, MAINT;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException on anything but ready, drain or maint */
    public static AdminState parse(String s) {
        if (s != null) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "ready": return READY;
                case "drain": return DRAIN;
                case "maint": return MAINT;
                default: break;
            }
        }
        throw new IllegalArgumentException("state must be ready, drain or maint, got '" + s + "'");
    }
}
