package io.segstream.cli;

import io.segstream.core.progress.ProgressBar;
import io.segstream.core.scenes.Actor;
import io.segstream.core.scenes.Area;
import io.segstream.core.scenes.DriveEvent;
import io.segstream.core.scenes.DriveGenerator;
import io.segstream.core.scenes.Intrusion;
import io.segstream.core.scenes.SceneGenerator;
import io.segstream.core.scenes.SceneKind;
import io.segstream.core.scenes.SceneWriter;
import io.segstream.ingest.video.DriveVideoWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code segstream scenes}: renders labelled synthetic road and railway scenes, or drives with a video, in the
 * Cityscapes layout.
 *
 * <pre>{@code
 * ./segstream scenes --out /tmp/s --count 20 --size 1024x512
 * ./segstream scenes --out /tmp/d --sequence --frames 30 --kind rail --intrusion person:track:10-20
 * }</pre>
 */
@Command(name = "scenes", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Renders labelled synthetic road and railway scenes in the Cityscapes layout "
                + "(leftImg8bit + gtFine labelIds, instanceIds, color).",
            "With --sequence it renders drives instead: frames in leftImg8bit_sequence, their labels, an MP4 "
                + "video and drive.json with the intrusion events."})
public final class ScenesCommand implements Callable<Integer> {
    private static final Pattern INTRUSION = Pattern.compile("([a-z]+):([a-z]+):(\\d+)-(\\d+)(?::([0-9.]+))?");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Dataset root to write into.")
    Path root;

    @Option(names = "--count", paramLabel = "N",
            description = "Number of scenes (default 10), or of drives with --sequence (default 1).")
    Integer count;

    @Option(names = "--size", paramLabel = "WxH", defaultValue = "2048x1024",
            description = "Image size (default: ${DEFAULT-VALUE}, as Cityscapes).")
    String size;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed; the same seed writes the same bytes.")
    long seed;

    @Option(names = "--kind", paramLabel = "KIND", defaultValue = "mixed",
            description = "road, rail or mixed (default: ${DEFAULT-VALUE}).")
    String kind;

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "train",
            description = "train, val or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--sequence", description = "Render drives (video + frame sequences) instead of still scenes.")
    boolean sequence;

    @Option(names = "--frames", paramLabel = "N", defaultValue = "30",
            description = "Frames per drive (default: ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--fps", paramLabel = "F", defaultValue = "10",
            description = "Frames per second of drives (default: ${DEFAULT-VALUE}).")
    double fps;

    @Option(names = "--speed", paramLabel = "M/S",
            description = "Camera speed of drives in m/s (default: 11 on roads, 18 on railways).")
    Double speed;

    @Option(names = "--intrusion", paramLabel = "ACTOR:AREA:FIRST-LAST[:METRES]",
            description = "A scripted intrusion in every drive, e.g. person:track:10-20 or car:carriageway:5-25:60 "
                    + "(actors: person, cyclist, car, truck; areas: track, carriageway). "
                    + "Without any, drives get random ones.")
    List<String> intrusions = new ArrayList<>();

    @Option(names = "--intruder-share", paramLabel = "P",
            description = "Still scenes: share of scenes with an actor standing in the track or on the carriageway "
                    + "(default: 0.4).")
    Double intruderShare;

    @Option(names = "--intruder-actors", paramLabel = "ACTOR[,ACTOR...]", split = ",",
            description = "Still scenes: the intruders to draw from, a repeated one more often, e.g. "
                    + "person,person,truck,car,cyclist (default: mostly persons, some cyclists and cars, no trucks).")
    List<String> intruderActors;

    @Option(names = "--threads", paramLabel = "N", description = "Render threads (default: the number of CPU cores).")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        int[] wh = Sizes.parse(size, "--size");
        SceneKind sceneKind = parseKind(kind);
        int n = count != null ? count : sequence ? 1 : 10;
        if (n < 1) {
            throw new IllegalArgumentException("--count must be at least 1, got " + n);
        }
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (t < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + t);
        }
        String sp = split.toLowerCase(Locale.ROOT);
        if (!SceneWriter.SPLITS.contains(sp)) {
            throw new IllegalArgumentException("--split must be one of " + String.join(", ", SceneWriter.SPLITS)
                    + ", got '" + split + "'");
        }
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        long start = System.nanoTime();
        if (!sequence) {
            if (!intrusions.isEmpty()) {
                throw new IllegalArgumentException("--intrusion scripts drives; add --sequence");
            }
            if (intruderShare != null && !(intruderShare >= 0 && intruderShare <= 1)) {
                throw new IllegalArgumentException("--intruder-share must be between 0 and 1, got " + intruderShare);
            }
            List<Actor> actors = intruderActors == null ? null : intruderActors.stream().map(a -> parseActor(a,
                    "--intruder-actors")).toList();
            SceneGenerator gen = SceneGenerator.builder().setSize(wh[0], wh[1]).optKind(sceneKind).optSeed(seed)
                    .optIntruders(intruderShare != null ? intruderShare : SceneGenerator.DEFAULT_INTRUDER_SHARE,
                            actors)
                    .build();
            ProgressBar bar = ProgressBar.builder().setOut(err).setUnit("scenes").optLabel("rendering").build();
            SceneWriter.writeScenes(gen, root, sp, n, t, bar::update);
            bar.finish();
            double secs = (System.nanoTime() - start) / 1e9;
            out.printf(Locale.ROOT, "%-10s %d x %dx%d (%s, seed %d, split %s)%n", "scenes", n, wh[0], wh[1],
                    sceneKind.name().toLowerCase(Locale.ROOT), seed, sp);
            out.printf(Locale.ROOT, "%-10s %s%n", "root", root.toAbsolutePath());
            out.printf(Locale.ROOT, "%-10s %.1f s (%.2f scenes/s on %d threads)%n", "time", secs, n / secs, t);
            out.flush();
            return 0;
        }
        if (wh[0] % 2 != 0 || wh[1] % 2 != 0) {
            throw new IllegalArgumentException("--size must have an even width and height for the drive video, got "
                    + size);
        }
        List<Intrusion> scripted = new ArrayList<>();
        for (String s : intrusions) {
            scripted.add(parseIntrusion(s));
        }
        for (int d = 0; d < n; d++) {
            DriveGenerator.Builder b = DriveGenerator.builder().setSize(wh[0], wh[1]).setFrames(frames).optFps(fps)
                    .optKind(sceneKind).optSeed(seed + d).optIntrusions(scripted);
            if (speed != null) {
                b.optSpeed(speed);
            }
            DriveGenerator drive = b.build();
            Path video = SceneWriter.driveDir(root, d).resolve("drive.mp4");
            ProgressBar bar = ProgressBar.builder().setOut(err).setUnit("frames")
                    .optLabel(String.format(Locale.ROOT, "drive %d/%d", d + 1, n)).build();
            Path json;
            String codec;
            long t0 = System.nanoTime();
            try (DriveVideoWriter writer = DriveVideoWriter.open(video, wh[0], wh[1], fps)) {
                codec = writer.codec();
                json = SceneWriter.writeDrive(drive, root, sp, d, t, video.getFileName().toString(), codec,
                        (f, scene) -> writer.write(scene.rgb()), bar::update);
            }
            bar.finish();
            double secs = (System.nanoTime() - t0) / 1e9;
            printDrive(out, drive, d, video, codec, json, secs);
            out.flush();
        }
        return 0;
    }

    private static void printDrive(PrintWriter out, DriveGenerator drive, int d, Path video, String codec, Path json,
            double secs) {
        String name = SceneWriter.driveId(d, 0).stem().replaceAll("_\\d{6}$", "");
        out.printf(Locale.ROOT, "%-8s %s: %d frames %dx%d at %.0f fps, %s layout, %.1f m/s, seed %d%n", "drive",
                name, drive.frames(), drive.width(), drive.height(), drive.fps(),
                drive.layout().name().toLowerCase(Locale.ROOT), drive.speed(), drive.seed());
        out.printf(Locale.ROOT, "%-8s %s (%s)%n", "video", video, codec);
        out.printf(Locale.ROOT, "%-8s %s%n", "events", json);
        out.printf(Locale.ROOT, "%-8s %.1f s (%.2f frames/s)%n", "time", secs, drive.frames() / secs);
        List<DriveEvent> events = drive.events();
        if (events.isEmpty()) {
            return;
        }
        out.printf(Locale.ROOT, "%n%6s %7s %-6s %-8s %-12s %9s %10s%n", "frame", "time", "event", "actor", "area",
                "instance", "distance");
        for (DriveEvent e : events) {
            out.printf(Locale.ROOT, "%6d %6.2fs %-6s %-8s %-12s %9d %8.1f m%n", e.frame(), e.time(),
                    e.type().key(), e.actor().key(), e.area().key(), e.instanceId(), e.distance());
        }
    }

    static SceneKind parseKind(String s) {
        for (SceneKind k : SceneKind.values()) {
            if (k.name().equalsIgnoreCase(s.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("--kind must be road, rail or mixed, got '" + s + "'");
    }

    static Intrusion parseIntrusion(String s) {
        Matcher m = INTRUSION.matcher(s.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("--intrusion must look like ACTOR:AREA:FIRST-LAST[:METRES], for example"
                    + " person:track:10-20, got '" + s + "'");
        }
        Actor actor = parseActor(m.group(1), "--intrusion");
        Area area = parseEnum(Area.class, m.group(2), "--intrusion area", "track, carriageway");
        Intrusion in = Intrusion.of(actor, area, Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)));
        return m.group(5) == null ? in : in.withDistance(Double.parseDouble(m.group(5)));
    }

    private static Actor parseActor(String v, String option) {
        return parseEnum(Actor.class, v.trim(), option + " actor", "person, cyclist, car, truck");
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String v, String what, String allowed) {
        try {
            return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " '" + v + "' is unknown; use one of " + allowed);
        }
    }
}
