package io.segstream.connectors.models;

import io.segstream.core.model.ModelManifest;

/**
 * A model directory as {@link ModelStore#put} left it in the store.
 *
 * @param artifact      where it is and what its {@code model.onnx} is (URI, SHA-256, size)
 * @param manifest      the manifest stored beside it, with the SHA-256 pinned
 * @param alreadyStored true when the store already held these exact bytes under this name and version
 */
public record StoredModel(ModelArtifact artifact, ModelManifest manifest, boolean alreadyStored) {}
