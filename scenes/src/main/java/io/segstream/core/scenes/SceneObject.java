package io.segstream.core.scenes;

/**
 * One instance (person, rider, vehicle) of a rendered scene.
 *
 * @param label      Cityscapes label name, e.g. {@code car}
 * @param labelId    Cityscapes label id
 * @param instanceId the value of its pixels in the instanceIds image ({@code labelId * 1000 + k})
 * @param area       where its ground centre point stands
 * @param box        bounding box of its geometry in pixels (occlusion not removed), clipped to the image
 * @param pixels     how many pixels of the image show it
 * @param distance   distance ahead of the camera in metres
 * @param intrusion  index of the intrusion it plays in a drive, or -1
 */
public record SceneObject(String label, int labelId, int instanceId, Area area, PixelBox box, int pixels,
        double distance, int intrusion) {}
