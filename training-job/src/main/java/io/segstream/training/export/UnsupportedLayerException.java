package io.segstream.training.export;

/** A vertex of a DL4J graph that the ONNX export has no mapping for; the message names the vertex and its type. */
public class UnsupportedLayerException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnsupportedLayerException(String message) {
        super(message);
    }
}
