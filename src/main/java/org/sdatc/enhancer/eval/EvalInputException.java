package org.sdatc.enhancer.eval;

/** Ground truth or options {@code eval} cannot use; the message names the file or folder and the fix. */
public final class EvalInputException extends RuntimeException {
    public EvalInputException(String message) {
        super(message);
    }

    public EvalInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
