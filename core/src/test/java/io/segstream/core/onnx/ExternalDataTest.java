package io.segstream.core.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelException;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.proto.Onnx.GraphProto;
import io.segstream.core.onnx.proto.Onnx.ModelProto;
import io.segstream.core.onnx.proto.Onnx.StringStringEntryProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalDataTest {
    private static final ModelManifest MANIFEST = ModelManifest.builder().setName("road").setVersion("1")
            .setLabelSet("rail-20").setInput("image", 16, 8, Layout.NCHW)
            .setNormalization(new float[] {0, 0, 0}, new float[] {1, 1, 1})
            .setOutput("logits", OutputKind.LOGITS_NCHW).build();

    /** The 1x1 model with its first initializer moved to the file {@code location}, as exporters write it. */
    private static byte[] withExternalWeights(String location) throws Exception {
        ModelProto model = ModelProto.parseFrom(OneByOneConvModel.of("road", 20, 16, 8).onnx());
        GraphProto.Builder graph = model.getGraph().toBuilder();
        TensorProto.Builder w = graph.getInitializer(0).toBuilder().clearRawData().clearFloatData()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("0"))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue("240"));
        graph.setInitializer(0, w);
        return model.toBuilder().setGraph(graph).build().toByteArray();
    }

    @Test
    void aSelfContainedGraphHasNoReference() {
        assertEquals(Optional.empty(), ExternalData.firstReference(OneByOneConvModel.of("road", 20, 16, 8).onnx()));
    }

    @Test
    void aGraphReadingAFileOutsideTheModelDirectoryIsRefusedBeforeASessionOpensIt(@TempDir Path tmp)
            throws Exception {
        Files.write(tmp.resolve("secret.bin"), new byte[240]);
        Path dir = tmp.resolve("models/road");
        ModelDirectory.write(dir, withExternalWeights("../../secret.bin"), MANIFEST);
        ModelException e = assertThrows(ModelException.class,
                () -> OnnxSegmenter.open(dir, SegmenterOptions.builder().build()));
        assertTrue(e.getMessage().contains("keeps tensor data outside its graph (initializer '"), e.getMessage());
        assertTrue(e.getMessage().contains("in ../../secret.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("save_as_external_data=False"), e.getMessage());
    }

    @Test
    void evenExternalDataBesideTheGraphIsRefusedBecauseTheReleaseChecksumDoesNotCoverIt(@TempDir Path tmp)
            throws Exception {
        Path dir = tmp.resolve("road");
        ModelDirectory.write(dir, withExternalWeights("weights.bin"), MANIFEST);
        Files.write(dir.resolve("weights.bin"), new byte[240]);
        ModelException e = assertThrows(ModelException.class,
                () -> ModelDirectory.at(dir).readVerifiedModel(ModelDirectory.at(dir).readManifest()));
        assertTrue(e.getMessage().contains("in weights.bin"), e.getMessage());
    }
}
