package io.segstream.core.masks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.imaging.ImageFormatException;
import io.segstream.schemas.MaskEncoding;
import java.util.Random;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaskCodecTest {
    @Test
    void runLengthCodeIsTheDocumentedBytes() throws Exception {
        // 3x2 mask: row 0 = 7 7 7, row 1 = 7 255 0 -> runs (7 x4) (255 x1) (0 x1)
        ClassMask mask = new ClassMask(3, 2, new byte[] {7, 7, 7, 7, (byte) 255, 0});
        byte[] code = MaskCodec.encodeRle(mask);
        assertArrayEquals(new byte[] {1, 3, 2, 7, 4, (byte) 255, 1, 0, 1}, code);
        assertEquals(mask, MaskCodec.decode(code, MaskEncoding.RLE, "t"));
    }

    @Test
    void longRunsUseMultiByteVarints() throws Exception {
        ClassMask mask = new ClassMask(300, 1, new byte[300]);
        byte[] code = MaskCodec.encodeRle(mask);
        // width 300 = 0xAC 0x02; one run of class 0, length 300
        assertArrayEquals(new byte[] {1, (byte) 0xAC, 0x02, 1, 0, (byte) 0xAC, 0x02}, code);
        assertEquals(mask, MaskCodec.decodeRle(code, "t"));
    }

    @Test
    void bothEncodingsRoundTripRandomMasks() throws Exception {
        Random rnd = new Random(5);
        for (int trial = 0; trial < 5; trial++) {
            int w = 1 + rnd.nextInt(70);
            int h = 1 + rnd.nextInt(40);
            byte[] ids = new byte[w * h];
            for (int i = 0; i < ids.length; i++) {
                // runs of random length so both short and long runs occur
                ids[i] = i > 0 && rnd.nextInt(4) > 0 ? ids[i - 1] : (byte) (rnd.nextBoolean() ? 255 : rnd.nextInt(20));
            }
            ClassMask mask = new ClassMask(w, h, ids);
            for (MaskEncoding enc : List.of(MaskEncoding.PNG_CLASS_IDS, MaskEncoding.RLE)) {
                assertEquals(mask, MaskCodec.decode(MaskCodec.encode(mask, enc), enc, "t"), enc + " " + w + "x" + h);
            }
        }
    }

    @Test
    void brokenCodeIsRejectedWithItsPlace() {
        byte[] good = MaskCodec.encodeRle(new ClassMask(4, 1, new byte[] {1, 1, 2, 2}));
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 2);
        ImageFormatException t = assertThrows(ImageFormatException.class, () -> MaskCodec.decodeRle(truncated, "cam-1 seq 4"));
        assertEquals("cam-1 seq 4: run-length mask covers 2 of 4 pixels; the data is truncated", t.getMessage());
        byte[] tooLong = good.clone();
        tooLong[tooLong.length - 1] = 9;
        ImageFormatException o = assertThrows(ImageFormatException.class, () -> MaskCodec.decodeRle(tooLong, "m"));
        assertTrue(o.getMessage().contains("run of 9 pixels"), o.getMessage());
        assertThrows(ImageFormatException.class, () -> MaskCodec.decodeRle(new byte[] {2, 1, 1, 0, 1}, "m"));
        assertThrows(ImageFormatException.class, () -> MaskCodec.decodeRle(new byte[0], "m"));
        ImageFormatException png = assertThrows(ImageFormatException.class,
                () -> MaskCodec.decode(good, MaskEncoding.PNG_CLASS_IDS, "cam-2 seq 9"));
        assertTrue(png.getMessage().startsWith("cam-2 seq 9: not a readable PNG image"), png.getMessage());
    }

    @Test
    void theUnknownEncodingIsRefusedBothWays() {
        ClassMask mask = new ClassMask(2, 1, new byte[] {1, 2});
        IllegalArgumentException write = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> MaskCodec.encode(mask, MaskEncoding.UNKNOWN));
        assertEquals("mask encoding UNKNOWN cannot be written; use PNG_CLASS_IDS or RLE", write.getMessage());
        io.segstream.core.imaging.ImageFormatException read = org.junit.jupiter.api.Assertions.assertThrows(
                io.segstream.core.imaging.ImageFormatException.class,
                () -> MaskCodec.decode(new byte[] {1}, MaskEncoding.UNKNOWN, "cam-1 seq 3"));
        assertEquals("cam-1 seq 3: the mask's encoding is unknown to this reader (written by a newer producer)",
                read.getMessage());
    }
}
