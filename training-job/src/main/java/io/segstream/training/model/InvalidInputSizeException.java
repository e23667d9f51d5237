package io.segstream.training.model;

/** An input size a model cannot take (for example not divisible by its output stride); the message says which sizes work. */
public final class InvalidInputSizeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidInputSizeException(String message) {
        super(message);
    }
}
