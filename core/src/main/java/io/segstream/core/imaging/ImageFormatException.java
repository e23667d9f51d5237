package io.segstream.core.imaging;

/** An image that cannot be read as what the caller expects; the message names the image and the problem. */
public class ImageFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public ImageFormatException(String message) {
        super(message);
    }

    public ImageFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
