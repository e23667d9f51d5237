package io.segstream.core.scenes;

/** How the RGB image is painted. */
public enum Appearance {
    /** Textures, lighting, shadows, haze, rain and sensor noise: what models train on. */
    REALISTIC,
    /** Every pixel in its label colour, no effects: the RGB then equals the colour image (checks label alignment). */
    FLAT
}
