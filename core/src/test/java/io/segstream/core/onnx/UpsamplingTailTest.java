package io.segstream.core.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.model.BootstrapModel;
import io.segstream.core.onnx.proto.Onnx.GraphProto;
import io.segstream.core.onnx.proto.Onnx.ModelProto;
import io.segstream.core.onnx.proto.Onnx.NodeProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import io.segstream.core.onnx.proto.Onnx.ValueInfoProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding and cutting the upsampling at the end of a scores output. */
class UpsamplingTailTest {
    @TempDir
    Path dir;

    @Test
    void theBundledModelsTailIsItsBilinearResizeAfterTheClassifier() throws Exception {
        byte[] onnx = Files.readAllBytes(BootstrapModel.extractBundled(dir).dir().resolve("model.onnx"));
        UpsamplingTail tail = UpsamplingTail.find(onnx, "logits").orElseThrow();
        assertEquals("cls_logits", tail.scoresBefore());
        assertEquals(List.of("Resize", "Identity"), tail.nodes());
        GraphProto whole = ModelProto.parseFrom(onnx).getGraph();
        GraphProto cut = ModelProto.parseFrom(tail.cutModel()).getGraph();
        assertEquals(whole.getNodeCount() - 2, cut.getNodeCount());
        assertEquals(List.of("cls_logits"), cut.getOutputList().stream().map(ValueInfoProto::getName).toList());
        assertEquals("Conv", cut.getNode(cut.getNodeCount() - 1).getOpType());
        NodeProto resize = whole.getNodeList().stream().filter(n -> n.getOpType().equals("Resize")
                && n.getInput(0).equals("cls_logits")).findFirst().orElseThrow();
        List<String> constants = resize.getInputList().subList(1, resize.getInputCount()).stream()
                .filter(i -> !i.isEmpty()).toList();
        assertTrue(!constants.isEmpty() && cut.getInitializerList().stream()
                .noneMatch(t -> constants.contains(t.getName())), "the Resize's scales go with it: " + constants);
    }

    @Test
    void aRepeatAndPoolingsAreATailToo() {
        // how models exported before the bilinear vertex upsampled: nearest repetition, then box averages
        UpsamplingTail t = find(convThen("Resize", "AveragePool", "AveragePool", "AveragePool", "Identity")
                .toByteArray()).orElseThrow();
        assertEquals(List.of("Resize", "AveragePool", "AveragePool", "AveragePool", "Identity"), t.nodes());
    }

    private static OnnxGraphBuilder convThen(String... tail) {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("t");
        String x = g.input("image", DataType.FLOAT, 1, 3, 8, 8);
        String t = g.named("scores").node("Conv", List.of(x, g.constant(new float[6], 2, 3, 1, 1)));
        for (String op : tail) {
            t = op.equals("Resize")
                    ? g.node("Resize", List.of(t, "", g.constant(new float[] {1, 1, 2, 2}, 4)),
                            OnnxGraphBuilder.attr("mode", "linear"))
                    : g.node(op, List.of(t));
        }
        return g.output(t, DataType.FLOAT, 1, 2, -1, -1);
    }

    @Test
    void aModelWithoutAnUpsamplingHasNoTail() {
        assertEquals(Optional.empty(), find(convThen().toByteArray()));
        assertEquals(Optional.empty(), find(convThen("Identity").toByteArray()));
        assertEquals(Optional.empty(), find(convThen("Relu").toByteArray()), "a Relu is not spatial");
    }

    @Test
    void theTailStartsAtItsFirstResizeAndStopsAtAnythingElse() {
        UpsamplingTail t = find(convThen("Identity", "Resize", "Identity").toByteArray()).orElseThrow();
        assertEquals(List.of("Resize", "Identity"), t.nodes());
        UpsamplingTail r = find(convThen("Resize", "Relu", "Resize").toByteArray()).orElseThrow();
        assertEquals(List.of("Resize"), r.nodes(), "only the Resize after the Relu");
    }

    @Test
    void aTensorSomethingElseReadsEndsTheTail() throws Exception {
        ModelProto m = convThen("Resize", "Resize").build();
        GraphProto g = m.getGraph();
        // a second output reads the first Resize's result: cutting it would take that output's input away
        String middle = g.getNode(1).getOutput(0);
        GraphProto extra = g.toBuilder().addNode(NodeProto.newBuilder().setOpType("Relu").addInput(middle)
                .addOutput("side")).addOutput(ValueInfoProto.newBuilder().setName("side").setType(
                        g.getOutput(0).getType())).build();
        UpsamplingTail t = UpsamplingTail.find(m.toBuilder().setGraph(extra).build().toByteArray(),
                g.getOutput(0).getName()).orElseThrow();
        assertEquals(List.of("Resize"), t.nodes());
        assertEquals(middle, t.scoresBefore());
    }

    @Test
    void anUnknownOutputIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UpsamplingTail.find(convThen("Resize").toByteArray(), "nope"));
        assertTrue(e.getMessage().contains("no output 'nope'"), e.getMessage());
    }

    private static Optional<UpsamplingTail> find(byte[] onnx) {
        try {
            String out = ModelProto.parseFrom(onnx).getGraph().getOutput(0).getName();
            return UpsamplingTail.find(onnx, out);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
