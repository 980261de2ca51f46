package net.passerelle.gateway.config;

/** A configuration that cannot be used; the message names the file, line and key so ops can fix it. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
