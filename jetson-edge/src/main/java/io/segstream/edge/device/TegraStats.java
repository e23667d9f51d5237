package io.segstream.edge.device;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of NVIDIA's {@code tegrastats} on a Jetson, the figures the agent reports: GPU load ({@code GR3D_FREQ}),
 * memory controller load ({@code EMC_FREQ}), RAM and swap, and the temperature sensors. A figure the line does not
 * carry is {@link #ABSENT} ({@code EMC_FREQ} appears only when tegrastats runs as root on JetPack 6; sensors that are
 * switched off read -256 C and are left out).
 *
 * <p>Formats read: JetPack 4 and 5 ({@code EMC_FREQ 0%@1600 GR3D_FREQ 0%@[510] ... CPU@39.5C GPU@37.5C}), JetPack 6
 * ({@code EMC_FREQ 0%@2133 GR3D_FREQ 0%@[305] ... cpu@48.062C gpu@48.156C tj@48.218C}, or without EMC and frequency
 * as a user: {@code GR3D_FREQ 0% cpu@44.156C}), with or without the leading date.
 *
 * @param gpuLoadPercent GR3D (the integrated GPU) busy, percent of its current clock
 * @param emcLoadPercent the external memory controller busy, percent of its current clock
 * @param ramUsedMb      RAM in use, MB
 * @param ramTotalMb     RAM available to applications, MB
 * @param swapUsedMb     swap in use, MB
 * @param swapTotalMb    swap in all, MB
 * @param temperaturesC  degrees Celsius by sensor, names in lower case (cpu, gpu, soc0, tj, ...), sorted
 */
public record TegraStats(double gpuLoadPercent, double emcLoadPercent, double ramUsedMb, double ramTotalMb,
        double swapUsedMb, double swapTotalMb, Map<String, Double> temperaturesC) {
    /** A figure the line did not carry. */
    public static final double ABSENT = Double.NaN;
    /** What tegrastats prints for a sensor that is switched off. */
    private static final double SENSOR_OFF = -256;

    private static final Pattern RAM = Pattern.compile("\\bRAM (\\d+)/(\\d+)MB");
    private static final Pattern SWAP = Pattern.compile("\\bSWAP (\\d+)/(\\d+)MB");
    private static final Pattern EMC = Pattern.compile("\\bEMC_FREQ (\\d+)%");
    private static final Pattern GR3D = Pattern.compile("\\bGR3D_FREQ (\\d+)%");
    private static final Pattern TEMPERATURE =
            Pattern.compile("(?<![\\w@])([A-Za-z][A-Za-z0-9_]*)@(-?\\d+(?:\\.\\d+)?)C\\b");

    public TegraStats {
        temperaturesC = Map.copyOf(Objects.requireNonNull(temperaturesC, "temperaturesC"));
    }

    /**
     * Reads one line of tegrastats.
     *
     * @throws IllegalArgumentException when the line has no {@code RAM used/totalMB}, so is not tegrastats' output
     */
    public static TegraStats parse(String line) {
        Matcher ram = RAM.matcher(line);
        if (!ram.find()) {
            throw new IllegalArgumentException("'" + abbreviate(line) + "' is not a line of tegrastats (no 'RAM "
                    + "used/totalMB'); give the path of NVIDIA's tegrastats, or tegrastats: off");
        }
        Matcher swap = SWAP.matcher(line);
        boolean hasSwap = swap.find();
        Map<String, Double> temperatures = new TreeMap<>();
        Matcher t = TEMPERATURE.matcher(line);
        while (t.find()) {
            double c = Double.parseDouble(t.group(2));
            if (c > SENSOR_OFF) {
                temperatures.put(t.group(1).toLowerCase(java.util.Locale.ROOT), c);
            }
        }
        return new TegraStats(percent(GR3D, line), percent(EMC, line), Double.parseDouble(ram.group(1)),
                Double.parseDouble(ram.group(2)), hasSwap ? Double.parseDouble(swap.group(1)) : ABSENT,
                hasSwap ? Double.parseDouble(swap.group(2)) : ABSENT, temperatures);
    }

    private static double percent(Pattern p, String line) {
        Matcher m = p.matcher(line);
        return m.find() ? Double.parseDouble(m.group(1)) : ABSENT;
    }

    private static String abbreviate(String line) {
        String s = line.strip();
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
