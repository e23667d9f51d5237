package io.segstream.imaging.opencv;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR_RGB;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;

import io.segstream.core.imaging.ImageDecoder;
import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.RgbImage;
import io.segstream.schemas.ImageEncoding;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Decodes JPEG and PNG frames with OpenCV's {@code imdecode}: libjpeg-turbo and libpng, several times faster than
 * ImageIO. Straight into RGB order, so the preprocessing reads the decoded bytes as they are.
 *
 * <p>Stateless and thread-safe: every call allocates its native buffers in a {@link PointerScope} and frees them
 * before it returns; only the returned pixels live on, on the Java heap. Registered for
 * {@link io.segstream.core.imaging.ImageDecoders} in {@code META-INF/services}; loading OpenCV's libraries happens in
 * the constructor, so a machine without them falls back to ImageIO with one log line.
 *
 * <pre>{@code
 * RgbImage img = new OpenCvImageDecoder().decode(ImageEncoding.JPEG, jpeg, 1024, 512, "camera cam-1 seq 7");
 * }</pre>
 */
public final class OpenCvImageDecoder implements ImageDecoder {
    /** Colour in RGB order; EXIF orientation is not applied (ImageIO does not apply it either). */
    private static final int FLAGS = IMREAD_COLOR_RGB | IMREAD_IGNORE_ORIENTATION;

    private final String name;

    /**
     * Loads OpenCV's image codecs.
     *
     * @throws UnsatisfiedLinkError when the native libraries of this platform are missing
     */
    public OpenCvImageDecoder() {
        Loader.load(opencv_imgcodecs.class);
        this.name = "OpenCV " + opencv_core.CV_VERSION() + " (libjpeg-turbo, libpng)";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public RgbImage decode(ImageEncoding encoding, byte[] data, int width, int height, String source)
            throws ImageFormatException {
        if (encoding != ImageEncoding.JPEG && encoding != ImageEncoding.PNG) {
            throw new IllegalArgumentException("decodes JPEG and PNG, not " + encoding);
        }
        try (PointerScope scope = new PointerScope()) {
            BytePointer in = new BytePointer(data.length);
            in.put(data);
            Mat encoded = new Mat(1, data.length, CV_8UC1, in);
            Mat img = opencv_imgcodecs.imdecode(encoded, FLAGS);
            if (img.empty()) {
                throw new ImageFormatException(source + ": not a readable " + encoding + " image (OpenCV could not "
                        + "decode it)");
            }
            if (img.cols() != width || img.rows() != height) {
                throw new ImageFormatException(source + ": the frame header says " + width + "x" + height
                        + " but the " + encoding + " image is " + img.cols() + "x" + img.rows());
            }
            if (img.type() != CV_8UC3 || !img.isContinuous()) {
                throw new IllegalStateException("OpenCV decoded " + source + " into a Mat of type " + img.type()
                        + " (continuous: " + img.isContinuous() + "), not the 8-bit RGB rows it was asked for");
            }
            byte[] pixels = new byte[width * height * 3];
            img.data().get(pixels);
            return RgbImage.ofRgb(width, height, pixels);
        } catch (RuntimeException e) {
            if (e instanceof IllegalStateException || e instanceof IllegalArgumentException) {
                throw e;
            }
            // cv::Exception arrives as a RuntimeException from JavaCPP
            throw new ImageFormatException(source + ": not a readable " + encoding + " image (" + e.getMessage()
                    + ")", e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
