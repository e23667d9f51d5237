package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextTableTest {
    @Test
    void columnsAreAsWideAsTheirWidestCellAndNumbersAlignRight() {
        String t = new TextTable(List.of("class", "IoU", "note")).textColumns(2)
                .row(List.of("rail track", "0.5", "x"))
                .row(List.of("sky", "0.9123", "long note"))
                .toString();
        String nl = System.lineSeparator();
        assertEquals("| class      |    IoU | note      |" + nl
                + "|------------|--------|-----------|" + nl
                + "| rail track |    0.5 | x         |" + nl
                + "| sky        | 0.9123 | long note |" + nl, t);
    }

    @Test
    void aRowOfTheWrongLengthIsRefused() {
        TextTable t = new TextTable(List.of("a", "b"));
        assertEquals("a row of this table has 2 cells, got 1",
                assertThrows(IllegalArgumentException.class, () -> t.row(List.of("x"))).getMessage());
    }
}
