package io.segstream.ingest.grab;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_INFO;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.setLogCallback;

import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes FFmpeg's log to SLF4J (logger {@code io.segstream.ingest.ffmpeg}, DEBUG) and keeps, per thread, the count of
 * error messages and the last one.
 *
 * <p>Demuxing and most decoding happen on the thread that calls the grabber, so the per-thread figures attribute
 * errors to the source that thread reads: they feed {@link FrameSource#decodeErrors()} and the context of open
 * failures ("moov atom not found"). FFmpeg's raw lines would otherwise flood stderr for every damaged packet.
 */
final class FfmpegLog extends LogCallback {
    private static final Logger LOG = LoggerFactory.getLogger("io.segstream.ingest.ffmpeg");
    private static final ThreadLocal<ThreadStats> STATS = ThreadLocal.withInitial(ThreadStats::new);
    private static FfmpegLog instance;

    private static final class ThreadStats {
        long errors;
        String lastError;
    }

    private FfmpegLog() {}

    /** Installs the callback once per process, after FFmpeg's libraries are loaded. */
    static synchronized void install() {
        if (instance != null) {
            return;
        }
        try {
            FFmpegFrameGrabber.tryLoad();
        } catch (FFmpegFrameGrabber.Exception e) {
            // JavaCV's own message names only the class; the root cause names the system library that is missing
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new IllegalStateException("FFmpeg's native libraries could not be loaded (" + root.getMessage()
                    + "); install the missing system library (Debian's ffmpeg package brings them all)", e);
        }
        instance = new FfmpegLog().retainReference();
        setLogCallback(instance);
        av_log_set_level(LOG.isDebugEnabled() ? AV_LOG_INFO : AV_LOG_ERROR);
    }

    @Override
    public void call(int level, BytePointer msg) {
        // FFmpeg quotes the URLs it opens, credentials included
        String text = msg == null ? "" : SourceSpec.redact(msg.getString().strip());
        if (text.isEmpty()) {
            return;
        }
        if (level <= AV_LOG_ERROR) {
            ThreadStats s = STATS.get();
            s.errors++;
            s.lastError = text;
        }
        LOG.debug("{}", text);
    }

    /** Error messages FFmpeg logged on the calling thread so far. */
    static long errorsOnThisThread() {
        return STATS.get().errors;
    }

    /** Forgets the last error of the calling thread, before an operation whose failure should be explained. */
    static void clearLastError() {
        STATS.get().lastError = null;
    }

    /** The last error FFmpeg logged on the calling thread, without its {@code [codec @ 0x...]} prefix; null if none. */
    static String lastErrorOnThisThread() {
        String e = STATS.get().lastError;
        return e == null ? null : e.replaceFirst("^\\[[^]]*@ ?0x[0-9a-fA-F]+]\\s*", "");
    }
}
