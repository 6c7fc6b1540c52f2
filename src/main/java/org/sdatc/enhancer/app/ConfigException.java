package org.sdatc.enhancer.app;

/** A configuration the service cannot start with; the message names the key and what is allowed. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
