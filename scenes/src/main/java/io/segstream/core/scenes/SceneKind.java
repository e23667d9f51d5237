package io.segstream.core.scenes;

/** What the generator renders: road scenes, railway scenes, or a mix (which also has roads with tram tracks). */
public enum SceneKind {
    ROAD, RAIL, MIXED
}
