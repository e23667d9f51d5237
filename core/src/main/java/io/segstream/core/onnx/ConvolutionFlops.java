package io.segstream.core.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.google.protobuf.InvalidProtocolBufferException;
import io.segstream.core.onnx.proto.Onnx.GraphProto;
import io.segstream.core.onnx.proto.Onnx.ModelProto;
import io.segstream.core.onnx.proto.Onnx.NodeProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto;
import io.segstream.core.onnx.proto.Onnx.TypeProto;
import io.segstream.core.onnx.proto.Onnx.ValueInfoProto;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Convolution FLOPs of one forward pass of an ONNX model, counted the way the training side counts them
 * ({@code models}' GFLOPs column): 2 per multiply-add of every {@code Conv} and {@code ConvTranspose}, nothing for
 * element-wise work. The spatial size of each convolution's output is not inferred from attributes: every
 * convolution output is exposed as an extra graph output and the model is run once on a zero image, so strides,
 * padding, dilations and resizes of any exporter are what ONNX Runtime itself computes.
 *
 * <pre>{@code
 * double gflops = ConvolutionFlops.count(Files.readAllBytes(dir.resolve("model.onnx")), "image",
 *         new long[] {1, 3, 512, 1024}) / 1e9;
 * }</pre>
 */
public final class ConvolutionFlops {
    private ConvolutionFlops() {}

    /**
     * FLOPs of one image's forward pass (the input's first dimension is the batch; the count is divided by it).
     *
     * @param onnx       the model
     * @param inputName  its image input
     * @param inputShape the shape to run it at, batch first
     * @throws IllegalArgumentException when {@code onnx} does not parse or a convolution's weight is not an
     *     initializer of known shape
     * @throws OrtException when ONNX Runtime cannot run the model at {@code inputShape}
     */
    public static double count(byte[] onnx, String inputName, long[] inputShape) throws OrtException {
        ModelProto model;
        try {
            model = ModelProto.parseFrom(onnx);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not an ONNX model (" + e.getMessage() + ")", e);
        }
        GraphProto graph = model.getGraph();
        Map<String, List<Long>> weights = new HashMap<>();
        for (TensorProto t : graph.getInitializerList()) {
            weights.put(t.getName(), t.getDimsList());
        }
        // the tensor whose elements each do (w[1] * kernel) multiply-adds: a Conv's output (weight [out, in/group,
        // kh, kw]), a ConvTranspose's input (weight [in, out/group, kh, kw])
        Map<String, Long> macsPerElement = new HashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            boolean conv = node.getOpType().equals("Conv");
            if (!conv && !node.getOpType().equals("ConvTranspose")) {
                continue;
            }
            List<Long> w = weights.get(node.getInput(1));
            if (w == null || w.size() < 3) {
                throw new IllegalArgumentException(node.getOpType() + " node '" + node.getName()
                        + "' takes its weight '" + node.getInput(1) + "' from a computed tensor, not an initializer;"
                        + " its FLOPs cannot be counted");
            }
            long macs = w.get(1);
            for (int i = 2; i < w.size(); i++) {
                macs *= w.get(i);
            }
            macsPerElement.merge(conv ? node.getOutput(0) : node.getInput(0), macs, Long::sum);
        }
        GraphProto.Builder probed = graph.toBuilder();
        Set<String> outputs = new HashSet<>();
        for (ValueInfoProto o : graph.getOutputList()) {
            outputs.add(o.getName());
        }
        for (String name : macsPerElement.keySet()) {
            if (outputs.add(name)) {
                probed.addOutput(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
            }
        }
        byte[] probe = model.toBuilder().setGraph(probed).build().toByteArray();
        long elements = 1;
        for (long d : inputShape) {
            elements *= d;
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        double flops = 0;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT); // keep every Conv node as exported
            try (OrtSession session = env.createSession(probe, so);
                    OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.allocate((int) elements), inputShape);
                    OrtSession.Result result = session.run(Map.of(inputName, input), macsPerElement.keySet())) {
                for (Map.Entry<String, OnnxValue> e : result) {
                    long[] shape = ((TensorInfo) e.getValue().getInfo()).getShape();
                    long elementsOut = 1;
                    for (long d : shape) {
                        elementsOut *= d;
                    }
                    flops += 2.0 * elementsOut * macsPerElement.get(e.getKey());
                }
            }
        }
        return flops / inputShape[0];
    }
}
