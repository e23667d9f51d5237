package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The README's first command, shortened: broker, Flink job, generated drive, bundled model, overlays. */
@Tag("slow")
class DemoCommandITCase {
    @TempDir
    Path out;

    @Test
    void theDemoRunsEndToEndAndSummarises() throws Exception {
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cmd = Segstream.commandLine();
        cmd.setOut(new PrintWriter(stdout, true));
        cmd.setErr(new PrintWriter(stderr, true));
        int exit = cmd.execute("demo", "--duration", "12", "--cameras", "1", "--fps", "2", "--size", "320x160",
                "--drive-frames", "24", "--web-port", "0", "--dashboard-port", "0", "--out", out.toString());
        String text = stdout.toString();
        assertEquals(0, exit, stderr + text);

        long frames = figure(text, "frames");
        long masks = figure(text, "masks");
        assertTrue(frames >= 12, "about 2 frames a second for 12 s: " + text);
        assertTrue(masks > 0 && masks <= frames, "masks flow, never more than frames: " + text);
        assertEquals(0, figure(text, "dead letters"), text);
        assertTrue(text.contains("masks/s"), "a status line every second: " + text);
        assertTrue(Pattern.compile("(?m)^dashboard: http://127\\.0\\.0\\.1:\\d+/$").matcher(stderr.toString()).find(),
                "the dashboard's address next to the broker and Flink UI line: " + stderr);
        for (String figure : new String[] {"alert precision", "alert recall", "alert clear precision",
            "alert clear recall"}) {
            double value = fraction(text, figure);
            assertTrue(value >= 0 && value <= 1, figure + " is a fraction: " + text);
        }
        assertTrue(figure(text, "alerts left raised after their cause") >= 0, text);
        Matcher visible = Pattern.compile("(?m)^mask visible p50: (\\d+) ms, p99: (\\d+) ms$").matcher(text);
        assertTrue(visible.find(), text);
        assertTrue(Long.parseLong(visible.group(1)) <= Long.parseLong(visible.group(2)), text);
        assertTrue(Pattern.compile("(?m)^alert visible p50: (\\d+|NaN) ms, p99: (\\d+|NaN) ms"
                + " \\(alerts exactly-once\\)$").matcher(text).find(), text);
        Matcher raises = Pattern.compile("(?m)^alert raises: (\\d+) predicted, (\\d+) in ground truth, (\\d+) matched")
                .matcher(text);
        assertTrue(raises.find(), text);
        assertTrue(Integer.parseInt(raises.group(2)) >= 1,
                "the person stepping onto the track raises an alert on the ground truth: " + text);
        assertTrue(Pattern.compile("(?m)^rule +truth +predicted +matched +raised late +precision +recall +raise"
                + " offset$").matcher(text).find(), "the table per rule: " + text);
        assertTrue(Pattern.compile("(?m)^person-in-corridor +[1-9]").matcher(text).find(), text);
        try (Stream<Path> files = Files.list(out.resolve("overlays"))) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().matches("cam-1_\\d{6}\\.png")),
                    "overlays are written");
        }
    }

    private static double fraction(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ": (\\d+\\.\\d+)$").matcher(text);
        assertTrue(m.find(), "summary line '" + name + ": X' in " + text);
        return Double.parseDouble(m.group(1));
    }

    private static long figure(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ": (\\d+)$").matcher(text);
        assertTrue(m.find(), "summary line '" + name + ": N' in " + text);
        return Long.parseLong(m.group(1));
    }
}
