package io.segstream.core.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.imaging.RgbImage;
import io.segstream.schemas.ImageEncoding;
import io.segstream.schemas.MaskEncoding;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmenterBenchmarkTest {
    @Test
    void measuresEveryStageOfEveryFrame(@TempDir Path dir) throws Exception {
        int[] px = new int[32 * 16];
        for (int i = 0; i < px.length; i++) {
            px[i] = i % 32 < 16 ? 0xE01010 : 0x1010E0;
        }
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(RgbImage.ofPackedRgb(32, 16, px).toBufferedImage(), "jpeg", jpeg);
        List<EncodedFrame> frames = List.of(new EncodedFrame(ImageEncoding.JPEG, jpeg.toByteArray(), 32, 16));
        try (OnnxSegmenter seg = OnnxSegmenter.open(TestModels.write(dir),
                SegmenterOptions.builder().optBatchSize(3).build())) {
            SegmenterBenchmark.Result r = SegmenterBenchmark.run(seg, frames, 3, 7, 2, MaskEncoding.RLE);
            assertEquals(7, r.frames());
            assertEquals(3, r.batch());
            assertTrue(r.framesPerSecond() > 0);
            assertTrue(r.decodeMs() > 0 && r.inferMs() > 0 && r.encodeMs() > 0, r.toString());
            String table = SegmenterBenchmark.table(List.of(r));
            assertTrue(table.startsWith("batch  frames  frames/s    decode       pre     infer      post    encode"),
                    table);
        }
    }
}
