package io.segstream.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Markdown-style table whose columns are as wide as their widest cell: the first column left-aligned, the
 * others right-aligned (numbers) unless they are marked as text.
 *
 * <pre>{@code
 * TextTable t = new TextTable(List.of("class", "IoU")).textColumns(0);
 * t.row(List.of("road", "0.9123"));
 * System.out.print(t);
 * }</pre>
 */
final class TextTable {
    private final List<List<String>> rows = new ArrayList<>();
    private final boolean[] text;

    TextTable(List<String> header) {
        rows.add(List.copyOf(header));
        text = new boolean[header.size()];
        text[0] = true;
    }

    /** Marks columns that hold text; they are left-aligned. */
    TextTable textColumns(int... columns) {
        for (int c : columns) {
            text[c] = true;
        }
        return this;
    }

    /** Adds a row with one cell per column. */
    TextTable row(List<String> cells) {
        if (cells.size() != text.length) {
            throw new IllegalArgumentException("a row of this table has " + text.length + " cells, got " + cells.size());
        }
        rows.add(List.copyOf(cells));
        return this;
    }

    @Override
    public String toString() {
        int[] width = new int[text.length];
        for (List<String> r : rows) {
            for (int c = 0; c < width.length; c++) {
                width[c] = Math.max(width[c], r.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            sb.append('|');
            for (int c = 0; c < width.length; c++) {
                String align = text[c] ? "-" : "";
                sb.append(String.format(Locale.ROOT, " %" + align + width[c] + "s |", rows.get(i).get(c)));
            }
            sb.append(System.lineSeparator());
            if (i == 0) {
                sb.append('|');
                for (int w : width) {
                    sb.append("-".repeat(w + 2)).append('|');
                }
                sb.append(System.lineSeparator());
            }
        }
        return sb.toString();
    }
}
