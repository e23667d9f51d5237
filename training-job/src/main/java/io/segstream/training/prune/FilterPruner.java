package io.segstream.training.prune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Kernel (filter) pruning by L1 norm, as the ICNet seed prunes: in every prunable channel group
 * ({@link ChannelGroups}) the filters with the smallest mean absolute weight, summed over the convolutions that write
 * the group (both branches of a residual add), are removed, with the batch-norm channels, depthwise kernels and
 * input channels of every layer that reads them, so the smaller graph stays valid. The result is a plan (filters
 * kept per convolution) that {@link #resize} applies to a full-size configuration, so a pruned network can be
 * rebuilt, fine-tuned, resumed and exported like any other.
 *
 * <pre>{@code
 * FilterPruner.Pruned p = FilterPruner.prune(graph, 0.5);   // half the filters of every prunable group
 * p.graph();   // weights copied from graph, ready to fine-tune
 * p.plan();    // e.g. {lds_conv_conv=16, ...}
 * }</pre>
 */
public final class FilterPruner {
    private FilterPruner() {
    }

    /**
     * A pruned network.
     *
     * @param graph the smaller network, initialised with the kept weights of the original
     * @param plan  filters kept per convolution (every convolution of a pruned group)
     */
    public record Pruned(ComputationGraph graph, Map<String, Integer> plan) {
    }

    /**
     * Removes the fraction {@code ratio} of the filters of every prunable group of {@code graph} (at least one
     * filter stays per group).
     *
     * @throws IllegalArgumentException for a ratio outside [0, 1) or a layer the pruner cannot follow
     */
    public static Pruned prune(ComputationGraph graph, double ratio) {
        if (!(ratio >= 0 && ratio < 1)) {
            throw new IllegalArgumentException("pruning ratio must be in [0, 1), got " + ratio);
        }
        ComputationGraphConfiguration conf = graph.getConfiguration();
        ChannelGroups groups = ChannelGroups.of(conf);
        Map<Integer, int[]> kept = new HashMap<>();
        Map<String, Integer> plan = new LinkedHashMap<>();
        for (int g : groups.prunable()) {
            int n = groups.size(g);
            int keep = Math.max(1, (int) Math.round(n * (1 - ratio)));
            if (keep == n) {
                continue;
            }
            double[] score = new double[n];
            for (String producer : groups.producers(g)) {
                double[] l1 = filterL1(graph.getLayer(producer), isDeconvolution(conf, producer));
                for (int c = 0; c < n; c++) {
                    score[c] += l1[c];
                }
            }
            int[] best = IntStream.range(0, n).boxed()
                    .sorted(Comparator.comparingDouble((Integer c) -> -score[c]).thenComparingInt(c -> c))
                    .limit(keep).mapToInt(Integer::intValue).sorted().toArray();
            kept.put(g, best);
            for (String producer : groups.producers(g)) {
                plan.put(producer, keep);
            }
        }
        ComputationGraph smaller = new ComputationGraph(resize(conf, plan));
        smaller.init();
        copyKept(graph, smaller, groups, kept);
        return new Pruned(smaller, plan);
    }

    /**
     * {@code conf} with every convolution of {@code plan} reduced to that many filters and every layer that reads
     * their channels resized to match (a copy; {@code conf} is left alone).
     *
     * @throws IllegalArgumentException when the plan names a layer that is not a prunable convolution, or gives two
     *     convolutions of one group different counts
     */
    public static ComputationGraphConfiguration resize(ComputationGraphConfiguration conf, Map<String, Integer> plan) {
        ChannelGroups groups = ChannelGroups.of(conf);
        Map<Integer, Integer> newSize = new HashMap<>();
        for (Map.Entry<String, Integer> e : plan.entrySet()) {
            Integer g = groups.outputGroup(e.getKey());
            if (g == null || !groups.prunable().contains(groups.find(g))) {
                throw new IllegalArgumentException("the pruning plan names " + e.getKey() + ", which is not a prunable"
                        + " convolution of this network");
            }
            int root = groups.find(g);
            if (e.getValue() < 1 || e.getValue() > groups.size(root)) {
                throw new IllegalArgumentException("the pruning plan keeps " + e.getValue() + " filters of "
                        + e.getKey() + ", which has " + groups.size(root));
            }
            Integer before = newSize.put(root, e.getValue());
            if (before != null && !before.equals(e.getValue())) {
                throw new IllegalArgumentException("the pruning plan gives " + e.getKey() + " " + e.getValue()
                        + " filters but another convolution of its group " + before);
            }
        }
        ComputationGraphConfiguration out = ComputationGraphConfiguration.fromJson(conf.toJson());
        for (String layer : groups.readers()) {
            FeedForwardLayer l = (FeedForwardLayer) ((LayerVertex) out.getVertices().get(layer)).getLayerConf()
                    .getLayer();
            int in = 0;
            for (int g : groups.inputGroups(layer)) {
                in += newSize.getOrDefault(groups.find(g), groups.size(g));
            }
            l.setNIn(in);
            if (l instanceof DepthwiseConvolution2D dw) {
                l.setNOut((long) in * dw.getDepthMultiplier());
            } else if (l instanceof BatchNormalization) {
                l.setNOut(in);
            } else {
                int g = groups.outputGroup(layer);
                l.setNOut(newSize.getOrDefault(groups.find(g), groups.size(g)));
            }
        }
        return out;
    }

    /** Mean absolute weight of each output filter of a convolution. */
    static double[] filterL1(Layer conv, boolean deconvolution) {
        INDArray w = conv.getParam("W");
        // DL4J: convolution [out, in, kh, kw]; transposed convolution [in, out, kh, kw]
        INDArray perFilter = deconvolution ? w.permute(1, 0, 2, 3) : w;
        long filters = perFilter.size(0);
        INDArray flat = perFilter.dup('c').reshape('c', filters, -1);
        return org.nd4j.linalg.ops.transforms.Transforms.abs(flat).mean(1).toDoubleVector();
    }

    private static boolean isDeconvolution(ComputationGraphConfiguration conf, String layer) {
        return ((LayerVertex) conf.getVertices().get(layer)).getLayerConf().getLayer() instanceof Deconvolution2D;
    }

    private static void copyKept(ComputationGraph from, ComputationGraph to, ChannelGroups groups,
            Map<Integer, int[]> kept) {
        ComputationGraphConfiguration conf = from.getConfiguration();
        for (Layer src : from.getLayers()) {
            String name = src.conf().getLayer().getLayerName();
            Layer dst = to.getLayer(name);
            Map<String, INDArray> params = src.paramTable();
            if (params.isEmpty()) {
                continue;
            }
            org.deeplearning4j.nn.conf.layers.Layer c = ((LayerVertex) conf.getVertices().get(name)).getLayerConf()
                    .getLayer();
            List<Integer> inGroups = groups.inputGroups(name);
            long[] in = inGroups == null ? null : indices(groups, inGroups, kept);
            for (Map.Entry<String, INDArray> p : params.entrySet()) {
                INDArray v = p.getValue();
                if (c instanceof DepthwiseConvolution2D) {
                    // W [kh, kw, in, multiplier] (multiplier 1 when prunable), b [1, in]
                    v = p.getKey().equals("W") ? slice(v, 2, in) : slice(v, v.rank() - 1, in);
                } else if (c instanceof ConvolutionLayer && in != null) {
                    long[] out = indices(groups, List.of(groups.outputGroup(name)), kept);
                    boolean deconv = c instanceof Deconvolution2D;
                    if (p.getKey().equals("W")) {
                        v = slice(slice(v, deconv ? 1 : 0, out), deconv ? 0 : 1, in);
                    } else {
                        v = slice(v, v.rank() - 1, out);
                    }
                } else if (c instanceof BatchNormalization) {
                    v = slice(v, v.rank() - 1, in);
                }
                dst.getParam(p.getKey()).assign(v.reshape(dst.getParam(p.getKey()).shape()));
            }
        }
    }

    /** Kept channel indices of a space made of {@code space}'s groups side by side. */
    private static long[] indices(ChannelGroups groups, List<Integer> space, Map<Integer, int[]> kept) {
        List<Long> out = new ArrayList<>();
        long offset = 0;
        for (int g : space) {
            int root = groups.find(g);
            int n = groups.size(root);
            int[] k = kept.getOrDefault(root, IntStream.range(0, n).toArray());
            for (int i : k) {
                out.add(offset + i);
            }
            offset += n;
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** {@code a} with only the positions {@code idx} along {@code dim} (a copy). */
    private static INDArray slice(INDArray a, int dim, long[] idx) {
        long[] shape = a.shape();
        if (idx.length == shape[dim] && Arrays.equals(idx, IntStream.range(0, idx.length).asLongStream().toArray())) {
            return a;
        }
        long outer = 1;
        for (int d = 0; d < dim; d++) {
            outer *= shape[d];
        }
        long inner = 1;
        for (int d = dim + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        float[] src = a.dup('c').data().asFloat();
        float[] dst = new float[(int) (outer * idx.length * inner)];
        int k = 0;
        for (long o = 0; o < outer; o++) {
            for (long i : idx) {
                System.arraycopy(src, (int) ((o * shape[dim] + i) * inner), dst, k, (int) inner);
                k += (int) inner;
            }
        }
        long[] outShape = shape.clone();
        outShape[dim] = idx.length;
        return Nd4j.create(dst, outShape, 'c');
    }
}
