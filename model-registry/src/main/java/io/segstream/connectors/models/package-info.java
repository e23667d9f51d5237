/**
 * Model registry: storing released model directories and announcing them on the models topic.
 *
 * <ul>
 *   <li>{@link io.segstream.connectors.models.ModelStore}: puts a model directory ({@code model.onnx} +
 *       {@code model.json}) under {@code ROOT/NAME/VERSION/} on {@code file://}, {@code http(s)://} (GET, and PUT
 *       where the server takes it) or {@code s3://} (AWS SDK v2; S3-compatible stores through
 *       {@link io.segstream.connectors.models.ModelStoreOptions}), and fetches it into a local cache with the size
 *       and SHA-256 checked against the release while it downloads.</li>
 *   <li>{@link io.segstream.connectors.models.ModelReleaser}: verifies (ONNX Runtime loads it, shapes and label
 *       set match the manifest, a smoke run is finite), stores and publishes a {@code ModelRelease} keyed by
 *       {@code name:version@target}; what {@code segstream release} runs.</li>
 *   <li>{@link io.segstream.connectors.models.ModelReleases} and
 *       {@link io.segstream.connectors.models.ReleaseTarget}: pure rules between release records, manifests and
 *       the deployments a release is for.</li>
 *   <li>{@link io.segstream.connectors.models.ModelReleaseLog}: the models topic up to a fixed end, read by a job
 *       at start to serve the newest valid release.</li>
 * </ul>
 *
 * <pre>{@code
 * ModelReleaser.builder().setModelDir(Path.of("export/unet")).setStoreRoot(URI.create("s3://models/rail"))
 *         .setBootstrapServers("kafka:9092").optTarget("datacenter").build().release();
 * }</pre>
 */
package io.segstream.connectors.models;
