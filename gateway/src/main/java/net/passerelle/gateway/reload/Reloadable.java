package net.passerelle.gateway.reload;

import net.passerelle.gateway.config.GatewayConfig;

/**
 * A component that applies file-level settings again on {@code SIGHUP}, without a restart and without dropping a
 * connection. Called only with a configuration that loaded and validated completely; called for every reload, so it
 * compares {@code before} and {@code after} itself and does nothing when its part did not change. It must not throw
 * for a valid configuration; if it does, the failure is logged and the other components still reload.
 */
@FunctionalInterface
public interface Reloadable {
    void reload(GatewayConfig before, GatewayConfig after);
}
