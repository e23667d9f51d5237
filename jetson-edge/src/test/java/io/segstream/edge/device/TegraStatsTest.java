package io.segstream.edge.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * tegrastats lines as Jetsons print them, published by their users (JetPack 5 on AGX Orin and on Xavier, JetPack 6 on
 * Orin Nano as root and as a user, JetPack 4 on a TX2), and the figures read from them.
 */
class TegraStatsTest {
    /** AGX Orin 64 GB, JetPack 5 (L4T 35): upper-case sensors, switched-off ones at -256C, two GPCs. */
    private static final String JETPACK5_AGX_ORIN = "04-11-2025 10:36:27 RAM 4321/62801MB (lfb 1759x4MB) SWAP "
            + "19/31400MB (cached 0MB) CPU [0%@729,0%@729,0%@729,0%@729,0%@729,0%@729,0%@729,0%@729,0%@729,0%@729,"
            + "0%@729,0%@729] EMC_FREQ 0%@2133 GR3D_FREQ 0%@[0,0] VIC_FREQ 729 APE 174 CV0@-256C CPU@44.562C "
            + "Tboard@32C SOC2@40.093C Tdiode@33C SOC0@41.093C CV1@-256C GPU@-256C tj@44.343C SOC1@41.25C CV2@-256C "
            + "VDD_GPU_SOC 2340mW/2340mW VDD_CPU_CV 390mW/390mW VIN_SYS_5V0 4025mW/4025mW NC 0mW/0mW "
            + "VDDQ_VDD2_1V8AO 301mW/301mW NC 0mW/0mW";
    /** Xavier NX, JetPack 5: the GPU clock in brackets, no date. */
    private static final String JETPACK5_XAVIER = "RAM 2690/6854MB (lfb 6x1MB) SWAP 479/3427MB (cached 3MB) "
            + "CPU [3%@1904,7%@1906,1%@1905,0%@1907,off,off] EMC_FREQ 0%@1600 GR3D_FREQ 0%@[510] VIC_FREQ 601 APE 150 "
            + "AUX@39C CPU@39.5C AO@37.5C GPU@37.5C PMIC@50C VDD_IN 5079mW/5079mW VDD_CPU_GPU_CV 696mW/696mW "
            + "VDD_SOC 1104mW/1104mW";
    /**
     * Orin Nano, JetPack 6 (L4T 36), run as root: lower-case sensors, engines that are off (published as a test
     * template with the GPU load left open; 37 % filled in here).
     */
    private static final String JETPACK6_ORIN_NANO_ROOT = "09-21-2026 16:47:06 RAM 1954/7620MB (lfb 4x4MB) SWAP "
            + "0/3810MB (cached 0MB) CPU [0%@883,0%@883,0%@883,0%@883,0%@729,0%@729] EMC_FREQ 0%@2133 "
            + "GR3D_FREQ 37%@[305] NVDEC off NVJPG off NVJPG1 off VIC off OFA off APE 200 cpu@48.062C soc2@47.343C "
            + "soc0@48.218C gpu@48.156C tj@48.218C soc1@48C VDD_IN 4523mW/4523mW VDD_CPU_GPU_CV 524mW/524mW "
            + "VDD_SOC 1373mW/1373mW";
    /** Orin Nano, JetPack 6, run as a user: no EMC_FREQ and no GPU clock. */
    private static final String JETPACK6_ORIN_NANO_USER = "05-05-2025 06:05:39 RAM 2639/7620MB (lfb 9x4MB) SWAP "
            + "0/3810MB (cached 0MB) CPU [1%@729,4%@729,8%@729,4%@729,5%@729,4%@729] GR3D_FREQ 0% cpu@44.156C "
            + "soc2@43.781C soc0@44.687C gpu@45.968C tj@45.968C soc1@45.312C VDD_IN 5263mW/5263mW "
            + "VDD_CPU_GPU_CV 717mW/717mW VDD_SOC 1794mW/1794mW";
    /** TX2, JetPack 4: no swap, power rails without units. */
    private static final String JETPACK4_TX2 = "RAM 1873/3830MB (lfb 144x4MB) CPU [8%@2016,26%@2034,24%@2035,7%@2026,"
            + "7%@2034,6%@2034] EMC_FREQ 0%@1600 GR3D_FREQ 0%@114 APE 150 MTS fg 0% bg 1% PLL@39C MCPU@39C PMIC@50C "
            + "Tboard@35C GPU@37C BCPU@39C thermal@38.5C Tdiode@37C VDD_SYS_GPU 77/77 VDD_SYS_SOC 539/539 "
            + "VDD_IN 2930/3405 VDD_SYS_CPU 539/937 VDD_SYS_DDR 727/758";

    @Test
    void jetpack5AgxOrinLeavesSwitchedOffSensorsOut() {
        TegraStats s = TegraStats.parse(JETPACK5_AGX_ORIN);
        assertEquals(0, s.gpuLoadPercent());
        assertEquals(0, s.emcLoadPercent());
        assertEquals(4321, s.ramUsedMb());
        assertEquals(62801, s.ramTotalMb());
        assertEquals(19, s.swapUsedMb());
        assertEquals(31400, s.swapTotalMb());
        assertEquals(Map.of("cpu", 44.562, "tboard", 32.0, "soc2", 40.093, "tdiode", 33.0, "soc0", 41.093,
                "tj", 44.343, "soc1", 41.25), s.temperaturesC(), "CV0-2 and GPU read -256C: switched off");
    }

    @Test
    void jetpack5Xavier() {
        TegraStats s = TegraStats.parse(JETPACK5_XAVIER);
        assertEquals(0, s.gpuLoadPercent());
        assertEquals(0, s.emcLoadPercent());
        assertEquals(2690, s.ramUsedMb());
        assertEquals(6854, s.ramTotalMb());
        assertEquals(479, s.swapUsedMb());
        assertEquals(Map.of("aux", 39.0, "cpu", 39.5, "ao", 37.5, "gpu", 37.5, "pmic", 50.0), s.temperaturesC());
    }

    @Test
    void jetpack6OrinNanoAsRoot() {
        TegraStats s = TegraStats.parse(JETPACK6_ORIN_NANO_ROOT);
        assertEquals(37, s.gpuLoadPercent());
        assertEquals(0, s.emcLoadPercent());
        assertEquals(1954, s.ramUsedMb());
        assertEquals(7620, s.ramTotalMb());
        assertEquals(Map.of("cpu", 48.062, "soc2", 47.343, "soc0", 48.218, "gpu", 48.156, "tj", 48.218,
                "soc1", 48.0), s.temperaturesC());
    }

    @Test
    void jetpack6OrinNanoAsAUserHasNoMemoryControllerFigure() {
        TegraStats s = TegraStats.parse(JETPACK6_ORIN_NANO_USER);
        assertEquals(0, s.gpuLoadPercent());
        assertTrue(Double.isNaN(s.emcLoadPercent()), "EMC_FREQ is printed for root only");
        assertEquals(2639, s.ramUsedMb());
        assertEquals(45.968, s.temperaturesC().get("gpu"));
        assertEquals(6, s.temperaturesC().size());
    }

    @Test
    void jetpack4Tx2HasNoSwap() {
        TegraStats s = TegraStats.parse(JETPACK4_TX2);
        assertEquals(1873, s.ramUsedMb());
        assertTrue(Double.isNaN(s.swapUsedMb()));
        assertEquals(38.5, s.temperaturesC().get("thermal"));
        assertEquals(8, s.temperaturesC().size());
    }

    @Test
    void aLineThatIsNotTegrastatsIsRefusedWithTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TegraStats.parse("Usage: tegrastats [-option]"));
        assertEquals("'Usage: tegrastats [-option]' is not a line of tegrastats (no 'RAM used/totalMB'); give the "
                + "path of NVIDIA's tegrastats, or tegrastats: off", e.getMessage());
    }
}
