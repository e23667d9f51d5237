/**
 * Synthetic road and railway scenes with pixel-exact Cityscapes labels, for training, tests and the demo.
 *
 * <p>{@link io.segstream.core.scenes.SceneGenerator} renders independent scenes,
 * {@link io.segstream.core.scenes.DriveGenerator} renders drives with scripted or random intrusions, and
 * {@link io.segstream.core.scenes.SceneWriter} files both in the Cityscapes layout. A scene is a world drawn
 * from a seed (layout, look, props per road tile) seen through a pinhole camera; every primitive writes its
 * label with exactly the coverage of its surface, and noise, haze and weather touch only the RGB image.
 *
 * <p>Output depends only on the seed: randomness comes from seeded {@link java.util.SplittableRandom}s and
 * integer hashes, transcendental functions go through {@link java.lang.StrictMath}, and nothing iterates a hash
 * map or reads the clock.
 */
package io.segstream.core.scenes;
