package io.segstream.training.graph;

import java.util.Collection;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batch normalisation of NCHW feature maps with its activation (identity, ReLU or ReLU6) applied in the same pass.
 * DL4J's {@link BatchNormalization} ignores its activation, so a ReLU after it is a separate layer that copies its
 * input forward and walks it again backward; and its oneDNN helper computes the batch statistics with ND4J's
 * variance reduction and hands the backward pass to a {@code batchnorm_bp} op that between them took 29 % of a
 * Fast-SCNN training step. {@link FusedBatchNormLayer} computes statistics, normalisation, activation and their
 * gradients per channel in a few passes over the data.
 *
 * <p>Parameters (gamma, beta, running mean and variance), their initialisation, the running-statistics update and
 * the inference formula are DL4J's, so weights copy between this layer and a {@code BatchNormalization} followed by an
 * {@code ActivationLayer}, and the ONNX export writes {@code BatchNormalization} plus the activation.
 */
public class FusedBatchNormalization extends BatchNormalization {

    private static final long serialVersionUID = 1L;

    /** For JSON deserialisation of saved configurations. */
    public FusedBatchNormalization() {
        super();
    }

    private FusedBatchNormalization(BatchNormalization built) {
        super();
        LayerConfigs.copy(BatchNormalization.class, built, this);
        check(getActivationFn(), getCnn2DFormat(), isLockGammaBeta());
    }

    /**
     * The layer a configured {@link BatchNormalization.Builder} describes, its activation included.
     *
     * @throws IllegalArgumentException for an activation other than identity, ReLU or ReLU6, NHWC data, or locked
     *                                  gamma and beta
     */
    public static FusedBatchNormalization of(BatchNormalization.Builder builder) {
        return new FusedBatchNormalization(builder.build());
    }

    static void check(IActivation act, CNN2DFormat format, boolean lockGammaBeta) {
        if (!(act instanceof ActivationIdentity || act instanceof ActivationReLU || act instanceof ActivationReLU6)) {
            throw new IllegalArgumentException("fused batch norm supports identity, ReLU and ReLU6, not " + act);
        }
        if (format != CNN2DFormat.NCHW || lockGammaBeta) {
            throw new IllegalArgumentException("fused batch norm supports NCHW data with learned gamma and beta, not"
                    + " format " + format + (lockGammaBeta ? " with locked gamma and beta" : ""));
        }
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return LayerConfigs.wire(new FusedBatchNormLayer(conf, networkDataType), conf, listeners, layerIndex,
                layerParamsView, initializeParams, initializer());
    }
}
