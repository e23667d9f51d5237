package io.segstream.training.graph;

import java.util.function.Supplier;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.DepthwiseConvolution2DLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;

/** The runtime layer of {@link DilatedDepthwiseConvolution2D}: a depthwise convolution on libnd4j's generic kernel. */
final class GenericKernelDepthwiseLayer extends DepthwiseConvolution2DLayer {

    GenericKernelDepthwiseLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return withoutPlatformHelpers(() -> super.activate(training, workspaceMgr));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        return withoutPlatformHelpers(() -> super.backpropGradient(epsilon, workspaceMgr));
    }

    /** Training runs one graph per thread; the switch is process-wide, so it is restored before returning. */
    private static <T> T withoutPlatformHelpers(Supplier<T> op) {
        Environment env = Nd4j.getEnvironment();
        boolean allowed = env.helpersAllowed();
        env.allowHelpers(false);
        try {
            return op.get();
        } finally {
            env.allowHelpers(allowed);
        }
    }
}
