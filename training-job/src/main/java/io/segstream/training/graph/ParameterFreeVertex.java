package io.segstream.training.graph;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;

/**
 * What the configuration side of segstream's parameter-free vertices shares: no parameters, and a memory report of
 * none beyond the activations their output type implies.
 */
public abstract class ParameterFreeVertex extends GraphVertex {
    private static final long serialVersionUID = 1L;

    @Override
    public final long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public final MemoryReport getMemoryReport(InputType... inputTypes) {
        InputType out = getOutputType(-1, inputTypes);
        return new LayerMemoryReport.Builder(null, getClass(), inputTypes[0], out)
                .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }
}
