package io.segstream.ingest.grab;

/** What kind of thing a source location names; decides grabber options and whether the source is live by default. */
public enum SourceKind {
    /** A video file: MP4, MKV, AVI, WebM, MPEG-TS... */
    FILE,
    /** A network stream: RTSP, HTTP (MJPEG, HLS playlists, files over HTTP), UDP, RTMP, SRT. */
    NETWORK,
    /** A local V4L2 capture device, {@code /dev/videoN}. */
    DEVICE,
    /** A folder of images: the Cityscapes {@code leftImg8bit_sequence} layout or plain numbered images. */
    IMAGE_SEQUENCE;

    /** Whether frames of this kind arrive in real time by default (wall-clock capture time, drop when behind). */
    public boolean liveByDefault() {
        return this == NETWORK || this == DEVICE;
    }
}
