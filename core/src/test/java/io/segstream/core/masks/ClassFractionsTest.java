package io.segstream.core.masks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segstream.core.labels.LabelSet;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClassFractionsTest {
    private static final LabelSet RAIL = LabelSet.named("rail-20");
    // 4x2: road road person rail / road person person 255
    private static final ClassMask MASK = new ClassMask(4, 2, new byte[] {0, 0, 11, 19, 0, 11, 11, (byte) 255});

    @Test
    void fractionsOverTheWholeFrame() {
        ClassFractions f = ClassFractions.of(MASK, RAIL);
        assertEquals(8, f.pixelCount());
        assertEquals(3 / 8f, f.fraction("road"), 1e-7);
        assertEquals(3 / 8f, f.fraction("person"), 1e-7);
        assertEquals(1 / 8f, f.fraction("rail track"), 1e-7);
        assertEquals(1 / 8f, f.ignoredFraction(), 1e-7);
        assertEquals(Map.of("road", 3 / 8f, "person", 3 / 8f, "rail track", 1 / 8f), f.asMap());
    }

    @Test
    void fractionsWithinBitSetAndBooleanRegionsAgree() {
        // the right half: person rail / person 255
        BitSet right = new BitSet();
        right.set(2, 4);
        right.set(6, 8);
        boolean[] rightBool = {false, false, true, true, false, false, true, true};
        for (ClassFractions f : List.of(ClassFractions.within(MASK, right, RAIL),
                ClassFractions.within(MASK, rightBool, RAIL))) {
            assertEquals(4, f.pixelCount());
            assertEquals(0.5f, f.fraction("person"), 1e-7);
            assertEquals(0.25f, f.fraction("rail track"), 1e-7);
            assertEquals(0f, f.fraction("road"), 1e-7);
            assertEquals(0.75f, f.fractionOf(List.of("person", "rail track", "car")), 1e-7);
        }
        Map<String, ClassFractions> zones = ClassFractions.zones(MASK, Map.of("track", right, "empty", new BitSet()),
                RAIL);
        assertEquals(0.5f, zones.get("track").fraction("person"), 1e-7);
        assertEquals(0f, zones.get("empty").fraction("person"), 0f);
    }

    @Test
    void regionsOfTheWrongSizeAreRejected() {
        BitSet tooFar = new BitSet();
        tooFar.set(8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassFractions.within(MASK, tooFar, RAIL));
        assertEquals("region reaches pixel 8 but the 4x2 mask has 8 pixels", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClassFractions.within(MASK, new boolean[7], RAIL));
        assertThrows(IllegalArgumentException.class, () -> ClassFractions.of(MASK, RAIL).fraction("parking"));
    }
}
