package org.sdatc.enhancer.engine;

/** A window the enhancer cannot process; the message names the window and the reason. */
public class EnhancerException extends RuntimeException {
    public EnhancerException(String message) {
        super(message);
    }

    public EnhancerException(String message, Throwable cause) {
        super(message, cause);
    }
}
