package io.segstream.core.scenes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segstream.core.imaging.LabelPng;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes rendered scenes and drives in the exact Cityscapes layout.
 *
 * <pre>
 * leftImg8bit/{split}/{city}/{city}_{seq:06d}_{frame:06d}_leftImg8bit.png
 * leftImg8bit_sequence/{split}/{city}/..._leftImg8bit.png          (drives)
 * gtFine/{split}/{city}/..._gtFine_labelIds.png | _instanceIds.png | _color.png
 * drives/{city}_{seq:06d}/drive.json (+ the video the caller writes next to it)
 * </pre>
 *
 * <p>Still scene {@code i} is {@code (city i % 4, seq i / 4, frame 19)} (Cityscapes annotates the 20th frame of
 * each snippet); drive {@code d} is {@code (city d % 4, seq d / 4)} with frames from 0. Every file is a pure
 * function of the scene, so the same seed writes the same bytes however many threads render.
 *
 * <pre>{@code
 * SceneWriter.writeScenes(generator, Path.of("/tmp/s"), "train", 20, 2, ProgressListener.none());
 * }</pre>
 */
public final class SceneWriter {
    /** The synthetic cities scenes are filed under. */
    public static final List<String> CITIES = List.of("aldmoor", "brennfeld", "corvale", "dunstadt");
    /** The Cityscapes splits a scene set may be written as. */
    public static final List<String> SPLITS = List.of("train", "val", "test");
    /** Frame number of still scenes. */
    public static final int STILL_FRAME = 19;

    private SceneWriter() {}

    /** Where an image lies in the Cityscapes naming: city, sequence and frame number. */
    public record FrameId(String city, int seq, int frame) {
        /** {@code city_seq_frame}, e.g. {@code aldmoor_000000_000019}. */
        public String stem() {
            return String.format(Locale.ROOT, "%s_%06d_%06d", city, seq, frame);
        }
    }

    /** The name of still scene {@code index}. */
    public static FrameId stillId(int index) {
        return new FrameId(CITIES.get(index % CITIES.size()), index / CITIES.size(), STILL_FRAME);
    }

    /** The name of frame {@code frame} of drive {@code drive}. */
    public static FrameId driveId(int drive, int frame) {
        return new FrameId(CITIES.get(drive % CITIES.size()), drive / CITIES.size(), frame);
    }

    public static Path imagePath(Path root, String split, FrameId id, boolean sequence) {
        return root.resolve(sequence ? "leftImg8bit_sequence" : "leftImg8bit").resolve(split).resolve(id.city())
                .resolve(id.stem() + "_leftImg8bit.png");
    }

    /** A ground truth file; {@code kind} is {@code labelIds}, {@code instanceIds} or {@code color}. */
    public static Path labelPath(Path root, String split, FrameId id, String kind) {
        return root.resolve("gtFine").resolve(split).resolve(id.city()).resolve(id.stem() + "_gtFine_" + kind + ".png");
    }

    /** The folder of drive {@code drive}: its {@code drive.json} and video. */
    public static Path driveDir(Path root, int drive) {
        FrameId id = driveId(drive, 0);
        return root.resolve("drives").resolve(String.format(Locale.ROOT, "%s_%06d", id.city(), id.seq()));
    }

    /**
     * Writes one scene: its image (in {@code leftImg8bit_sequence} for drives, where it is also linked into
     * {@code leftImg8bit} so that every gtFine file has its image) and its three gtFine files.
     *
     * @return the files written
     */
    public static List<Path> write(Scene scene, Path root, String split, FrameId id, boolean sequence)
            throws IOException {
        checkSplit(split);
        List<Path> out = new ArrayList<>();
        Path image = imagePath(root, split, id, sequence);
        LabelPng.writeRgb(scene.width(), scene.height(), scene.rgb(), image);
        out.add(image);
        if (sequence) {
            Path still = imagePath(root, split, id, false);
            linkOrCopy(image, still);
            out.add(still);
        }
        Path labels = labelPath(root, split, id, "labelIds");
        LabelPng.write8(scene.labelIds(), labels);
        out.add(labels);
        Path instances = labelPath(root, split, id, "instanceIds");
        LabelPng.write16(scene.instanceIds(), instances);
        out.add(instances);
        Path colour = labelPath(root, split, id, "color");
        LabelPng.writeRgb(scene.width(), scene.height(), scene.colorImage(), colour);
        out.add(colour);
        return out;
    }

    private static void linkOrCopy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.deleteIfExists(to);
        try {
            Files.createLink(to, from);
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void checkSplit(String split) {
        if (!SPLITS.contains(split)) {
            throw new IllegalArgumentException("split '" + split + "' is not a Cityscapes split; use one of "
                    + String.join(", ", SPLITS));
        }
    }

    /**
     * Renders and writes still scenes {@code 0..count-1} on {@code threads} threads.
     */
    public static void writeScenes(SceneGenerator generator, Path root, String split, int count, int threads,
            ProgressListener listener) throws IOException {
        checkSplit(split);
        if (count < 1) {
            throw new IllegalArgumentException("the scene count must be at least 1, got " + count);
        }
        runOrdered(count, threads, i -> {
            write(generator.render(i), root, split, stillId(i), false);
            return null;
        }, (i, s) -> { }, listener);
    }

    /** Receives the frames of a drive in order (for example to encode a video). */
    @FunctionalInterface
    public interface FrameSink {
        void accept(int frame, Scene scene) throws IOException;
    }

    /**
     * Renders drive number {@code drive} frame by frame on {@code threads} threads, writes each frame in the
     * sequence layout, hands the frames to {@code sink} in order, and writes {@code drive.json} into
     * {@link #driveDir}.
     *
     * @param video name of the video file next to drive.json (recorded in it), or null
     * @param codec the video codec used (recorded in drive.json), or null
     * @return the path of drive.json
     */
    public static Path writeDrive(DriveGenerator generator, Path root, String split, int drive, int threads,
            String video, String codec, FrameSink sink, ProgressListener listener) throws IOException {
        checkSplit(split);
        int n = generator.frames();
        List<List<SceneObject>> intruders = new ArrayList<>(n);
        runOrdered(n, threads, f -> {
            Scene s = generator.render(f);
            write(s, root, split, driveId(drive, f), true);
            return s;
        }, (f, s) -> {
            sink.accept(f, s);
            List<SceneObject> seen = new ArrayList<>();
            for (SceneObject o : s.objects()) {
                if (o.intrusion() >= 0) {
                    seen.add(o);
                }
            }
            intruders.add(seen);
        }, listener);
        Path json = driveDir(root, drive).resolve("drive.json");
        writeDriveJson(generator, root, split, drive, video, codec, intruders, json);
        return json;
    }

    private interface Task {
        Scene run(int index) throws IOException;
    }

    private interface Consumer {
        void accept(int index, Scene scene) throws IOException;
    }

    /** Runs tasks 0..n-1 on a pool, at most two per thread in flight, and consumes results in index order. */
    private static void runOrdered(int n, int threads, Task task, Consumer consumer, ProgressListener listener)
            throws IOException {
        int t = Math.max(1, threads);
        ExecutorService pool = Executors.newFixedThreadPool(t, r -> {
            Thread th = new Thread(r, "scene-render");
            th.setDaemon(true);
            return th;
        });
        Deque<Future<Scene>> inFlight = new ArrayDeque<>();
        int next = 0;
        try {
            for (int done = 0; done < n; done++) {
                while (next < n && inFlight.size() < 2 * t) {
                    int index = next++;
                    inFlight.add(pool.submit(() -> {
                        try {
                            return task.run(index);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }));
                }
                Scene s = await(inFlight.removeFirst());
                consumer.accept(done, s);
                listener.progress(done + 1, n);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Scene await(Future<Scene> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while rendering scenes", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("rendering a scene failed: " + c, c);
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static void writeDriveJson(DriveGenerator g, Path root, String split, int drive, String video,
            String codec, List<List<SceneObject>> intruders, Path json) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode top = mapper.createObjectNode();
        FrameId first = driveId(drive, 0);
        top.put("city", first.city());
        top.put("sequence", first.seq());
        top.put("split", split);
        top.put("layout", g.layout().name().toLowerCase(Locale.ROOT));
        top.put("seed", g.seed());
        top.put("width", g.width());
        top.put("height", g.height());
        top.put("fps", g.fps());
        top.put("frameCount", g.frames());
        top.put("speedMps", round(g.speed()));
        if (video != null) {
            top.put("video", video);
        }
        if (codec != null) {
            top.put("codec", codec);
        }
        // image and label paths below are relative to the dataset root, which lies two folders up
        top.put("root", "../..");
        Camera c = g.camera();
        ObjectNode cam = top.putObject("camera");
        cam.put("focalPx", round(c.focal()));
        cam.put("horizonRow", round(c.horizonRow()));
        cam.put("heightM", round(c.mountHeight()));
        cam.put("curvature", c.curvature());
        ArrayNode zones = top.putArray("zones");
        for (AreaOutline z : g.zones()) {
            ObjectNode zn = zones.addObject();
            zn.put("area", z.area().key());
            ArrayNode pts = zn.putArray("polygon");
            for (AreaOutline.Point p : z.points()) {
                pts.addArray().add(Math.round(p.x() * 1e5) / 1e5).add(Math.round(p.y() * 1e5) / 1e5);
            }
        }
        ArrayNode ins = top.putArray("intrusions");
        for (int i = 0; i < g.intrusions().size(); i++) {
            Intrusion in = g.intrusions().get(i);
            ObjectNode n = ins.addObject();
            n.put("index", i);
            n.put("actor", in.actor().key());
            n.put("label", in.actor().label());
            n.put("instanceId", g.instanceId(i));
            n.put("area", in.area().key());
            n.put("firstFrame", in.firstFrame());
            n.put("lastFrame", in.lastFrame());
            n.put("motion", in.motion().name().toLowerCase(Locale.ROOT));
            n.put("side", in.side().name().toLowerCase(Locale.ROOT));
            n.put("distanceM", round(in.distance()));
            n.put("scripted", g.isScripted(i));
        }
        ArrayNode events = top.putArray("events");
        for (DriveEvent e : g.events()) {
            ObjectNode n = events.addObject();
            n.put("frame", e.frame());
            n.put("time", round(e.time()));
            n.put("type", e.type().key());
            n.put("intrusion", e.intrusion());
            n.put("actor", e.actor().key());
            n.put("area", e.area().key());
            n.put("instanceId", e.instanceId());
            n.put("distanceM", round(e.distance()));
        }
        ArrayNode frames = top.putArray("frames");
        for (int f = 0; f < g.frames(); f++) {
            FrameId id = driveId(drive, f);
            ObjectNode n = frames.addObject();
            n.put("frame", f);
            n.put("time", round(g.time(f)));
            n.put("image", root.relativize(imagePath(root, split, id, true)).toString());
            n.put("labelIds", root.relativize(labelPath(root, split, id, "labelIds")).toString());
            ArrayNode seen = n.putArray("intruders");
            for (SceneObject o : intruders.get(f)) {
                ObjectNode on = seen.addObject();
                on.put("intrusion", o.intrusion());
                on.put("instanceId", o.instanceId());
                on.put("label", o.label());
                on.put("inside", g.inside(o.intrusion(), f));
                on.put("area", o.area().key());
                on.put("pixels", o.pixels());
                on.putArray("box").add(o.box().x0()).add(o.box().y0()).add(o.box().x1()).add(o.box().y1());
                on.put("distanceM", round(o.distance()));
            }
        }
        Files.createDirectories(json.getParent());
        mapper.writeValue(json.toFile(), top);
    }
}
