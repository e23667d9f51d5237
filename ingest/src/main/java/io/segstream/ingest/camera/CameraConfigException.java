package io.segstream.ingest.camera;

/** The cameras file is unreadable or invalid; the message names the file, the camera and what to fix. */
public class CameraConfigException extends Exception {
    public CameraConfigException(String message) {
        super(message);
    }

    public CameraConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
