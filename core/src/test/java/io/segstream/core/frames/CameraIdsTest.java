package io.segstream.core.frames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CameraIdsTest {
    @Test
    void plainNamesAreValid() {
        for (String id : new String[] {"cam-1", "a", "Road_3.north", "0", "x".repeat(64)}) {
            assertTrue(CameraIds.isValid(id), id);
            assertTrue(CameraIds.problem(id).isEmpty(), id);
        }
    }

    @Test
    void pathsControlCharactersAndOddLengthsAreNot() {
        for (String id : new String[] {"../../etc/x", "cam\u0000\n1", "", ".", "..", ".hidden", "-rf", "cam 1",
                "cam/1", "c:\\cam", "kamera-\u00fc", "x".repeat(65), null}) {
            assertFalse(CameraIds.isValid(id), String.valueOf(id));
        }
        assertEquals("camera id \"../../etc/x\" is not a valid camera id: ids are 1 to 64 characters of A-Z a-z 0-9"
                + " . _ - starting with a letter or digit (they name files, metric labels and log lines); fix the"
                + " producer's camera id", CameraIds.problem("../../etc/x").orElseThrow());
        assertTrue(CameraIds.problem("").orElseThrow().startsWith("an empty camera id is not"));
        assertTrue(CameraIds.problem(null).orElseThrow().startsWith("no camera id is not"));
    }

    @Test
    void escapingKeepsEveryIdOnOneQuotedLine() {
        assertEquals("\"cam\\u0000\\n1\"", CameraIds.escape("cam\u0000\n1"));
        assertEquals("\"a\\\"b\\\\c\\t\\r\\u00fc\\u2028\"", CameraIds.escape("a\"b\\c\t\r\u00fc\u2028"));
        assertEquals("\"../x\"", CameraIds.escape("../x"));
        String longId = "y".repeat(100);
        assertEquals("\"" + "y".repeat(80) + "\"... (100 characters)", CameraIds.escape(longId));
        assertEquals("null", CameraIds.escape(null));
    }
}
