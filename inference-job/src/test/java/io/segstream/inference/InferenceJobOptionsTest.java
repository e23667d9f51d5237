package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.models.ModelStoreOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The model release options of the inference job. */
class InferenceJobOptionsTest {

    @Test
    void releaseOptionsHaveDefaultsThatFollowTheModelsTopicForAll() {
        InferenceJobOptions o = InferenceJobOptions.fromMap(Map.of("bootstrap", "127.0.0.1:9092"));
        assertTrue(o.get(InferenceJobOptions.MODELS_TOPIC));
        assertEquals(Set.of("all"), o.targets());
        assertEquals(Path.of(System.getProperty("java.io.tmpdir"), "segstream-models"), o.modelCacheDir());
        assertEquals(ModelStoreOptions.defaults(), o.storeOptions());
    }

    @Test
    void targetsCacheAndStoreSettingsAreParsedOnce() {
        InferenceJobOptions o = InferenceJobOptions.fromArgs(new String[] {"--bootstrap", "k:9092",
            "--target", "datacenter,Line-4", "--model-cache-dir", "/var/cache/models", "--models-topic", "off",
            "--store.s3.endpoint", "http://minio:9000", "--store.s3.path-style=true"});
        assertEquals(Set.of("datacenter", "line-4"), o.targets());
        assertEquals(Path.of("/var/cache/models"), o.modelCacheDir());
        assertFalse(o.get(InferenceJobOptions.MODELS_TOPIC));
        assertEquals(Optional.of("http://minio:9000"), o.storeOptions().endpoint());
        assertTrue(o.storeOptions().s3PathStyle());
        assertTrue(o.toString().contains("store.s3.endpoint=http://minio:9000"), o.toString());
        assertTrue(InferenceJobOptions.describe().contains("store.s3.endpoint"));
    }

    @Test
    void badReleaseOptionsSayWhatToFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InferenceJobOptions.fromMap(
                Map.of("bootstrap", "k:9092", "target", "data center", "store.s3.endpoint", "minio",
                        "models-topic", "sometimes")));
        assertTrue(e.getMessage().contains("'target': 'data center' is not a release target"), e.getMessage());
        assertTrue(e.getMessage().contains("'store.*': s3.endpoint must be an http:// or"
                + " https:// URL, got 'minio'"), e.getMessage());
        assertTrue(e.getMessage().contains("option 'models-topic' has the bad value 'sometimes'"), e.getMessage());
    }

    /** The job's segmenter does not spin by default (its cores are shared); a user's setting wins. */
    @Test
    void onnxRuntimeThreadsSleepInTheJobUnlessTold() {
        InferenceJobOptions o = InferenceJobOptions.fromMap(Map.of("bootstrap", "k:9092"));
        assertEquals(false, io.segstream.core.segment.SegmenterOptions.fromMap(o.segmenterSettings()).spinWait());
        InferenceJobOptions spin = InferenceJobOptions.fromMap(Map.of("bootstrap", "k:9092",
                "segmenter.spin-wait", "true"));
        assertEquals(true, io.segstream.core.segment.SegmenterOptions.fromMap(spin.segmenterSettings()).spinWait());
    }

    @Test
    void theJobsBatchSizeIsAlsoTheOnnxBatch() {
        InferenceJobOptions o = InferenceJobOptions.fromMap(Map.of("bootstrap", "k:9092", "batch-size", "8"));
        assertEquals("8", o.segmenterSettings().get("batch-size"));
        assertEquals(4, InferenceJobOptions.fromMap(Map.of("bootstrap", "k:9092")).get(InferenceJobOptions.BATCH_SIZE));
        assertEquals("4", InferenceJobOptions.fromMap(Map.of("bootstrap", "k:9092")).segmenterSettings()
                .get("batch-size"));
        // both set and equal, as older configurations have it
        assertEquals("2", InferenceJobOptions.fromMap(Map.of("bootstrap", "k:9092", "batch-size", "2",
                "segmenter.batch-size", "2")).segmenterSettings().get("batch-size"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InferenceJobOptions
                .fromMap(Map.of("bootstrap", "k:9092", "batch-size", "4", "segmenter.batch-size", "1")));
        assertTrue(e.getMessage().contains("'segmenter.batch-size' (1) differs from 'batch-size' (4)"),
                e.getMessage());
    }

    @Test
    void writerSchemasComeFromTheFolderAndAMissingFolderIsNamed() throws Exception {
        assertEquals(0, InferenceJob.frameWriterSchemas(InferenceJobOptions.fromMap(Map.of("bootstrap", "k:9092")))
                .length);
        Path folder = Path.of(getClass().getResource("/writer-schemas").toURI());
        InferenceJobOptions o = InferenceJobOptions.fromMap(Map.of("bootstrap", "k:9092",
                "writer-schemas", folder.toString()));
        org.apache.avro.Schema[] frames = InferenceJob.frameWriterSchemas(o);
        assertEquals(1, frames.length);
        assertTrue(frames[0].getField("exposure_us") != null, frames[0].toString());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> InferenceJob
                .frameWriterSchemas(InferenceJobOptions.fromMap(Map.of("bootstrap", "k:9092", "writer-schemas",
                        "/no/such/schemas"))));
        assertEquals("writer schema folder /no/such/schemas does not exist or is not a folder; give a folder of .avsc"
                + " files", missing.getMessage());
    }

    @Test
    void theFramePixelLimitIsASegmenterOption() {
        InferenceJobOptions o = InferenceJobOptions.fromMap(Map.of("bootstrap", "k:9092",
                "segmenter.max-frame-pixels", "2073600"));
        assertEquals(2_073_600L, io.segstream.core.segment.SegmenterOptions.fromMap(o.segmenterSettings())
                .maxFramePixels());
    }
}
