package io.segstream.core.onnx;

import io.segstream.core.onnx.proto.Onnx.AttributeProto;
import io.segstream.core.onnx.proto.Onnx.GraphProto;
import io.segstream.core.onnx.proto.Onnx.ModelProto;
import io.segstream.core.onnx.proto.Onnx.NodeProto;
import io.segstream.core.onnx.proto.Onnx.StringStringEntryProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds tensors an ONNX graph keeps outside itself ({@code data_location: EXTERNAL}, the weights of models over
 * 2 GB or of exporters told to split them). segstream serves self-contained graphs only: the SHA-256 a release pins
 * covers {@code model.onnx} alone, and ONNX Runtime would open whatever path the graph names — {@code ../} paths and
 * absolute ones included — so a graph that refers to external data is refused before a session sees it.
 *
 * <pre>{@code
 * ExternalData.firstReference(onnxBytes).ifPresent(ref -> { throw ... });  // e.g. "initializer 'w' in ../../etc/x"
 * }</pre>
 */
public final class ExternalData {
    private ExternalData() {}

    /**
     * The first tensor of {@code onnx} whose data lies outside the graph, as "KIND 'NAME' in LOCATION"; empty when
     * the graph is self-contained or does not parse (ONNX Runtime then says what is wrong with it).
     */
    public static Optional<String> firstReference(byte[] onnx) {
        ModelProto model;
        try {
            model = ModelProto.parseFrom(onnx);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return Optional.empty();
        }
        List<String> found = new ArrayList<>(1);
        scan(model.getGraph(), found);
        return found.stream().findFirst();
    }

    private static void scan(GraphProto graph, List<String> found) {
        for (TensorProto t : graph.getInitializerList()) {
            check(t, "initializer", found);
        }
        for (NodeProto node : graph.getNodeList()) {
            for (AttributeProto a : node.getAttributeList()) {
                if (a.hasT()) {
                    check(a.getT(), "constant of node '" + node.getName() + "'", found);
                }
                for (TensorProto t : a.getTensorsList()) {
                    check(t, "constant of node '" + node.getName() + "'", found);
                }
                if (a.hasG()) {
                    scan(a.getG(), found);
                }
                for (GraphProto g : a.getGraphsList()) {
                    scan(g, found);
                }
            }
        }
    }

    private static void check(TensorProto t, String kind, List<String> found) {
        if (!found.isEmpty() || t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
            return;
        }
        String location = t.getExternalDataList().stream().filter(e -> e.getKey().equals("location"))
                .map(StringStringEntryProto::getValue).findFirst().orElse("(no location given)");
        found.add(kind + " '" + t.getName() + "' in " + location);
    }
}
