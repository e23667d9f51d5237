package io.segstream.training.prune;

import io.segstream.training.graph.BilinearUpsampleVertex;
import io.segstream.training.graph.MaxUnpoolVertex;
import io.segstream.training.graph.McDropoutVertex;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;

/**
 * Which channels of a convolutional graph must be pruned together. Every convolution starts a <em>group</em> of
 * channels (its filters); batch norm, activations, pooling, resizing, dropout and a depthwise convolution (its
 * depthwise pair) carry their input's channels through; an element-wise add joins the groups of its inputs channel
 * by channel (a residual's two branches must keep the same channels); a concatenation lays its inputs' groups side
 * by side, so the convolution reading it keeps the kept channels of each part at their offsets. Groups the network
 * input, a loss layer, a depthwise multiplier above 1 or a fused separable convolution touch are <em>fixed</em>:
 * never pruned. Anything else is refused by name, so a new layer cannot be pruned wrongly.
 */
final class ChannelGroups {
    private final List<Integer> parent = new ArrayList<>();
    private final List<Integer> sizes = new ArrayList<>();
    private final List<Boolean> fixed = new ArrayList<>();
    private final List<List<String>> producers = new ArrayList<>();
    /** Vertex name to the groups of its output channels, in order. */
    private final Map<String, List<Integer>> spaces = new HashMap<>();
    /** Layers that read channels (convolutions, depthwise, batch norm), to their input's groups. */
    private final Map<String, List<Integer>> inputs = new LinkedHashMap<>();
    /** Layers whose outputs are their own group (convolutions), to that group. */
    private final Map<String, Integer> outputs = new LinkedHashMap<>();

    private ChannelGroups() {
    }

    /** Analyses {@code conf}. */
    static ChannelGroups of(ComputationGraphConfiguration conf) {
        ChannelGroups g = new ChannelGroups();
        g.analyse(conf);
        return g;
    }

    private void analyse(ComputationGraphConfiguration conf) {
        for (String in : conf.getNetworkInputs()) {
            int group = newGroup(3, null);
            fixed.set(group, true);
            spaces.put(in, List.of(group));
        }
        for (String name : topologicalOrder(conf)) {
            if (spaces.containsKey(name)) {
                continue;
            }
            GraphVertex v = conf.getVertices().get(name);
            List<List<Integer>> ins = new ArrayList<>();
            for (String i : conf.getVertexInputs().get(name)) {
                ins.add(spaces.get(i));
            }
            spaces.put(name, outputSpace(name, v, ins));
        }
    }

    private List<Integer> outputSpace(String name, GraphVertex v, List<List<Integer>> ins) {
        if (v instanceof LayerVertex lv) {
            Layer layer = lv.getLayerConf().getLayer();
            List<Integer> in = ins.get(0);
            if (layer instanceof DepthwiseConvolution2D dw) {
                inputs.put(name, in);
                if (dw.getDepthMultiplier() != 1) {
                    fix(in);
                    int group = newGroup((int) dw.getNOut(), null);
                    fixed.set(group, true);
                    return List.of(group);
                }
                return in;
            }
            if (layer instanceof SeparableConvolution2D sep) {
                fix(in);
                int group = newGroup((int) sep.getNOut(), null);
                fixed.set(group, true);
                return List.of(group);
            }
            if (layer instanceof ConvolutionLayer conv) {
                inputs.put(name, in);
                int group = newGroup((int) conv.getNOut(), name);
                outputs.put(name, group);
                return List.of(group);
            }
            if (layer instanceof BatchNormalization) {
                inputs.put(name, in);
                return in;
            }
            if (layer instanceof CnnLossLayer || layer instanceof BaseOutputLayer) {
                fix(in);
                return in;
            }
            if (layer instanceof ActivationLayer || layer instanceof DropoutLayer || layer instanceof SubsamplingLayer
                    || layer instanceof Upsampling2D) {
                return in;
            }
            throw new IllegalArgumentException("cannot prune through layer " + name + " ("
                    + layer.getClass().getSimpleName() + ")");
        }
        if (v instanceof ElementWiseVertex || v instanceof MaxUnpoolVertex) {
            // element-wise: channel i of every input meets channel i of the others
            List<Integer> first = ins.get(0);
            for (List<Integer> other : ins.subList(1, ins.size())) {
                if (!sameLayout(first, other)) {
                    fix(first);
                    fix(other);
                    continue;
                }
                for (int k = 0; k < first.size(); k++) {
                    union(first.get(k), other.get(k));
                }
            }
            return first;
        }
        if (v instanceof MergeVertex) {
            List<Integer> cat = new ArrayList<>();
            ins.forEach(cat::addAll);
            return cat;
        }
        if (v instanceof McDropoutVertex || v instanceof BilinearUpsampleVertex) {
            return ins.get(0);
        }
        throw new IllegalArgumentException("cannot prune through vertex " + name + " (" + v.getClass().getSimpleName()
                + ")");
    }

    private boolean sameLayout(List<Integer> a, List<Integer> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int k = 0; k < a.size(); k++) {
            if (!sizes.get(find(a.get(k))).equals(sizes.get(find(b.get(k))))) {
                return false;
            }
        }
        return true;
    }

    private int newGroup(int size, String producer) {
        int id = parent.size();
        parent.add(id);
        sizes.add(size);
        fixed.add(false);
        List<String> p = new ArrayList<>();
        if (producer != null) {
            p.add(producer);
        }
        producers.add(p);
        return id;
    }

    private void fix(List<Integer> space) {
        for (int g : space) {
            fixed.set(find(g), true);
        }
    }

    private void union(int a, int b) {
        int ra = find(a);
        int rb = find(b);
        if (ra == rb) {
            return;
        }
        parent.set(rb, ra);
        fixed.set(ra, fixed.get(ra) || fixed.get(rb));
        producers.get(ra).addAll(producers.get(rb));
    }

    int find(int g) {
        while (parent.get(g) != g) {
            parent.set(g, parent.get(parent.get(g)));
            g = parent.get(g);
        }
        return g;
    }

    /** The groups that may be pruned (not fixed, produced by at least one convolution), as root ids. */
    Set<Integer> prunable() {
        Set<Integer> out = new LinkedHashSet<>();
        for (int g = 0; g < parent.size(); g++) {
            int r = find(g);
            if (!fixed.get(r) && !producers.get(r).isEmpty()) {
                out.add(r);
            }
        }
        return out;
    }

    int size(int group) {
        return sizes.get(find(group));
    }

    /** The convolutions whose filters are the channels of {@code group}. */
    List<String> producers(int group) {
        return producers.get(find(group));
    }

    /** The groups of the input channels of a convolution, depthwise convolution or batch norm. */
    List<Integer> inputGroups(String layer) {
        return inputs.get(layer);
    }

    /** The group of a convolution's output channels, or null for a layer that does not start one. */
    Integer outputGroup(String layer) {
        return outputs.get(layer);
    }

    /** Layers that read channels, in graph order. */
    Set<String> readers() {
        return inputs.keySet();
    }

    private static List<String> topologicalOrder(ComputationGraphConfiguration conf) {
        Map<String, Integer> pending = new HashMap<>();
        Map<String, List<String>> consumers = new HashMap<>();
        for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
            pending.put(e.getKey(), e.getValue().size());
            for (String i : e.getValue()) {
                consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(e.getKey());
            }
        }
        Deque<String> ready = new ArrayDeque<>(conf.getNetworkInputs());
        List<String> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            String v = ready.poll();
            order.add(v);
            for (String c : consumers.getOrDefault(v, List.of())) {
                if (pending.merge(c, -1, Integer::sum) == 0) {
                    ready.add(c);
                }
            }
        }
        return order;
    }
}
