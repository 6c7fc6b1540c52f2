package org.sdatc.enhancer.engine.onnx;

/**
 * A model directory that does not follow docs/model-contract.md. Raised when the model is loaded,
 * never later during inference; the message names the file, the key or tensor, what the contract
 * expects and what the model has.
 */
public class ModelContractException extends RuntimeException {
    public ModelContractException(String message) {
        super(message);
    }

    public ModelContractException(String message, Throwable cause) {
        super(message, cause);
    }
}
