package org.sdatc.enhancer.app;

/** A problem with what the user asked for (a missing file, a bad argument), reported in one line. */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }
}
