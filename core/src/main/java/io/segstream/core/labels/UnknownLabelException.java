package io.segstream.core.labels;

/** A label id, class id, name or colour that the label set does not define. */
public final class UnknownLabelException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnknownLabelException(String message) {
        super(message);
    }
}
