package io.segstream.core.imaging;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Size and pixel format of a PNG, read from its IHDR chunk without decoding pixels.
 *
 * <p>Dataset listings check thousands of files for matching sizes and bit depths; reading 33 bytes each keeps
 * that cheap.
 *
 * @param width     pixels per row
 * @param height    rows
 * @param bitDepth  bits per sample (1, 2, 4, 8 or 16)
 * @param colorType PNG colour type: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA
 */
public record PngHeader(int width, int height, int bitDepth, int colorType) {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final int HEADER_BYTES = 8 + 4 + 4 + 13;

    /** Reads the header of {@code file}. */
    public static PngHeader read(Path file) throws ImageFormatException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(HEADER_BYTES);
        } catch (IOException e) {
            throw new ImageFormatException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        if (head.length < HEADER_BYTES || !Arrays.equals(head, 0, 8, SIGNATURE, 0, 8)
                || !"IHDR".equals(new String(head, 12, 4, StandardCharsets.US_ASCII))) {
            throw new ImageFormatException(file + ": not a readable PNG image (no PNG header)");
        }
        ByteBuffer b = ByteBuffer.wrap(head, 16, 10);
        int width = b.getInt();
        int height = b.getInt();
        int bitDepth = b.get() & 0xFF;
        int colorType = b.get() & 0xFF;
        if (width <= 0 || height <= 0) {
            throw new ImageFormatException(file + ": not a readable PNG image (size " + width + "x" + height + ")");
        }
        return new PngHeader(width, height, bitDepth, colorType);
    }

    /** Number of channels the colour type stores (a palette image has one: its indices). */
    public int channels() {
        return switch (colorType) {
            case 0, 3 -> 1;
            case 4 -> 2;
            case 2 -> 3;
            case 6 -> 4;
            default -> 0;
        };
    }

    /** Whether this is a single-channel 16-bit PNG, as Cityscapes instanceIds are. */
    public boolean isGrey16() {
        return colorType == 0 && bitDepth == 16;
    }

    /** The size as {@code WIDTHxHEIGHT}. */
    public String size() {
        return width + "x" + height;
    }
}
