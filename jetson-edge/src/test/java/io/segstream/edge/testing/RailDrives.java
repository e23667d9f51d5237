package io.segstream.edge.testing;

import io.segstream.core.scenes.Actor;
import io.segstream.core.scenes.Area;
import io.segstream.core.scenes.DriveGenerator;
import io.segstream.core.scenes.Intrusion;
import io.segstream.core.scenes.SceneKind;
import io.segstream.ingest.video.DriveVideoWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Recorded railway drives for the agent's tests: rendered by the project's scene generator (a person steps into the
 * track, later a truck crosses it) and encoded to MP4 as a camera recording would be, at the bundled model's input size.
 * Each drive is rendered once per build and kept under {@code target/edge-drives}.
 */
public final class RailDrives {
    public static final int WIDTH = 512;
    public static final int HEIGHT = 256;
    public static final double FPS = DriveGenerator.DEFAULT_FPS;

    private RailDrives() {}

    /** A drive of {@code frames} frames at 10 fps. */
    public static Path drive(int frames) throws IOException {
        return drive(frames, FPS);
    }

    /**
     * A drive of {@code frames} frames at {@code fps}: a long drive at a low rate covers a long outage with few frames
     * to render and segment.
     */
    public static synchronized Path drive(int frames, double fps) throws IOException {
        Path dir = Path.of("target", "edge-drives").toAbsolutePath();
        String name = "rail-" + frames + (fps == FPS ? "" : "-" + Math.round(fps) + "fps");
        Path file = dir.resolve(name + ".mp4");
        if (Files.exists(file)) {
            return file;
        }
        Files.createDirectories(dir);
        DriveGenerator drive = DriveGenerator.builder().setSize(WIDTH, HEIGHT).setFrames(frames)
                .optKind(SceneKind.RAIL).optSeed(7).optSpeed(5).optFps(fps)
                .optIntrusion(Intrusion.of(Actor.PERSON, Area.TRACK, frames / 5, frames / 5 + frames / 4))
                .optIntrusion(Intrusion.of(Actor.TRUCK, Area.TRACK, frames * 3 / 5, frames * 3 / 5 + frames / 8))
                .build();
        Path partial = dir.resolve(name + ".partial.mp4");
        try (DriveVideoWriter video = DriveVideoWriter.open(partial, WIDTH, HEIGHT, fps)) {
            for (int i = 0; i < frames; i++) {
                video.write(drive.render(i).rgb());
            }
        }
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }
}
