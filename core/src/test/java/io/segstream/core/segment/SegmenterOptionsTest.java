package io.segstream.core.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SegmenterOptionsTest {
    @Test
    void defaultsAndMapParsing() {
        SegmenterOptions d = SegmenterOptions.defaults();
        assertEquals(ExecutionProvider.CPU, d.provider());
        assertEquals(1, d.batchSize());
        assertTrue(d.tensorRtEngineCache().isEmpty());
        SegmenterOptions o = SegmenterOptions.fromMap(Map.of("provider", "TRT", "batch-size", "8",
                "tensorrt.fp16", "off", "spin-wait", "true", "tensorrt.engine-cache", "/tmp/trt", "tensorrt.workspace-bytes", "2147483648"));
        assertEquals(ExecutionProvider.TENSORRT, o.provider());
        assertEquals(8, o.batchSize());
        assertEquals(false, o.tensorRtFp16());
        assertEquals(true, o.spinWait());
        assertEquals(false, d.spinWait());
        assertEquals(Path.of("/tmp/trt"), o.tensorRtEngineCache().orElseThrow());
        assertEquals(1L << 31, o.tensorRtWorkspaceBytes());
        assertTrue(o.toString().startsWith("provider=tensorrt device-id=0 batch-size=8 "), o.toString());
        assertTrue(SegmenterOptions.describe().contains("tensorrt.engine-cache"));
    }

    @Test
    void badValuesNameTheOption() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> SegmenterOptions.fromMap(Map.of("batch", "4")));
        assertTrue(unknown.getMessage().startsWith("unknown segmenter option 'batch'; known options are [provider"),
                unknown.getMessage());
        IllegalArgumentException provider = assertThrows(IllegalArgumentException.class,
                () -> SegmenterOptions.fromMap(Map.of("provider", "opencl")));
        assertTrue(provider.getMessage().contains("execution provider 'opencl' is unknown; use one of [cpu, cuda, "
                + "tensorrt]"), provider.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> SegmenterOptions.builder().optBatchSize(0).optDeviceId(-1).build());
        assertEquals("segmenter options are not valid: device-id must be 0 or more, got -1; batch-size must be "
                + "1..256, got 0", range.getMessage());
    }

    @Test
    void theFramePixelLimitDefaultsTo8192Squared() {
        assertEquals(8192L * 8192L, SegmenterOptions.defaults().maxFramePixels());
        assertEquals(2_073_600L, SegmenterOptions.fromMap(Map.of("max-frame-pixels", "2073600")).maxFramePixels());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> SegmenterOptions.builder().optMaxFramePixels(0).build());
        assertEquals("segmenter options are not valid: max-frame-pixels must be at least 1, got 0; e.g. 67108864 for"
                + " 8192x8192", zero.getMessage());
    }

    @Test
    void tensorRtGetsInt8ForQuantizedModelsAndItsOtherSettings() {
        SegmenterOptions o = SegmenterOptions.builder().optProvider(ExecutionProvider.TENSORRT)
                .optTensorRtFp16(false).optTensorRtEngineCache(Path.of("/var/cache/trt"))
                .optTensorRtWorkspaceBytes(1L << 28).build();
        Map<String, String> int8 = OnnxSegmenter.tensorRtOptions(o, true);
        assertEquals("1", int8.get("trt_int8_enable"));
        assertEquals("0", int8.get("trt_fp16_enable"));
        assertEquals(Long.toString(1L << 28), int8.get("trt_max_workspace_size"));
        assertEquals("1", int8.get("trt_engine_cache_enable"));
        assertEquals("/var/cache/trt", int8.get("trt_engine_cache_path"));
        Map<String, String> fp32 = OnnxSegmenter.tensorRtOptions(SegmenterOptions.defaults(), false);
        assertEquals("0", fp32.get("trt_int8_enable"));
        assertEquals("1", fp32.get("trt_fp16_enable"));
        assertEquals(null, fp32.get("trt_engine_cache_path"));
    }
}
