package io.segstream.core.imaging;

import java.util.Iterator;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the native {@link ImageDecoder} of this process once: the first one {@link ServiceLoader} finds whose
 * libraries load. Says in one log line which decoder frames get, and why ImageIO when no native one is usable.
 */
public final class ImageDecoders {
    private static final Logger LOG = LoggerFactory.getLogger(ImageDecoders.class);

    private ImageDecoders() {}

    /** The native decoder of this process, or empty when JPEG and PNG frames decode with ImageIO. */
    public static Optional<ImageDecoder> preferred() {
        return Holder.PREFERRED;
    }

    /** Loaded on first use, so that the search and its log line happen once per process. */
    private static final class Holder {
        static final Optional<ImageDecoder> PREFERRED = find();
    }

    private static Optional<ImageDecoder> find() {
        Iterator<ImageDecoder> it = ServiceLoader.load(ImageDecoder.class, ImageDecoders.class.getClassLoader())
                .iterator();
        String failure = null;
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                ImageDecoder d = it.next();
                LOG.info("JPEG and PNG frames decode with {}", d.name());
                return Optional.of(d);
            } catch (ServiceConfigurationError | LinkageError e) {
                // a provider whose native libraries do not load on this machine; try the next
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                failure = cause.getClass().getSimpleName() + ": " + cause.getMessage();
            }
        }
        if (failure != null) {
            LOG.warn("the native image decoder is unavailable ({}); JPEG and PNG frames decode with ImageIO, several "
                    + "times slower", failure);
        } else {
            LOG.warn("no native image decoder on the class path (module imaging-opencv); JPEG and PNG frames decode "
                    + "with ImageIO, several times slower");
        }
        return Optional.empty();
    }
}
