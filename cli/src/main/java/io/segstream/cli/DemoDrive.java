package io.segstream.cli;

import io.segstream.core.imaging.JpegEncoder;
import io.segstream.core.imaging.LabelPng;
import io.segstream.core.progress.ProgressBar;
import io.segstream.core.scenes.Actor;
import io.segstream.core.scenes.Area;
import io.segstream.core.scenes.DriveGenerator;
import io.segstream.core.scenes.Intrusion;
import io.segstream.core.scenes.Scene;
import io.segstream.core.scenes.SceneKind;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's railway drive, rendered once and kept in memory: JPEG frames as a camera would send them and the
 * labelIds PNG of each frame, which the frames carry as ground truth so the job scores every frame.
 */
final class DemoDrive {
    /** A train slowing into a station: intruders come close enough to be seen at demo resolution. */
    private static final double SPEED = 5;
    final int width;
    final int height;
    final List<byte[]> jpegs;
    final List<byte[]> labels;

    private DemoDrive(int width, int height, List<byte[]> jpegs, List<byte[]> labels) {
        this.width = width;
        this.height = height;
        this.jpegs = jpegs;
        this.labels = labels;
    }

    /** A rail drive of {@code frames} frames in which a person stands in the track and a truck crosses it later at a level crossing. */
    static DemoDrive render(int width, int height, int frames, long seed, PrintWriter err) throws IOException {
        DriveGenerator drive = DriveGenerator.builder().setSize(width, height).setFrames(frames)
                .optKind(SceneKind.RAIL).optSeed(seed).optSpeed(SPEED)
                .optIntrusion(Intrusion.of(Actor.PERSON, Area.TRACK, frames / 5, frames / 5 + frames / 4))
                .optIntrusion(Intrusion.of(Actor.TRUCK, Area.TRACK, frames * 3 / 5, frames * 3 / 5 + frames / 8))
                .build();
        List<byte[]> jpegs = new ArrayList<>(frames);
        List<byte[]> labels = new ArrayList<>(frames);
        ProgressBar bar = ProgressBar.builder().setOut(err).setUnit("frames").optLabel("rendering drive").build();
        for (int i = 0; i < frames; i++) {
            Scene s = drive.render(i);
            jpegs.add(JpegEncoder.encode(s.toImage(), 90));
            labels.add(LabelPng.encode8(s.labelIds()));
            bar.update(i + 1, frames);
        }
        bar.finish();
        return new DemoDrive(width, height, jpegs, labels);
    }

    int frames() {
        return jpegs.size();
    }
}
