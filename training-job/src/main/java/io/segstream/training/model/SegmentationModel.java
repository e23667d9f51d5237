package io.segstream.training.model;

/**
 * A segmentation architecture registered by name: it adds its layers to a graph and says which input sizes it takes.
 * The graph's output is logits of shape N×classes×H×W at the input resolution.
 */
public interface SegmentationModel {

    /** Registry name, e.g. {@code fastscnn}. */
    String name();

    /** One line for {@code segstream models}. */
    String description();

    /** Ratio of the input size to the coarsest feature map (DeepLab's "output stride"). */
    int outputStride(ModelSpec spec);

    /** Input height and width must be multiples of this. */
    int sizeDivisor(ModelSpec spec);

    /**
     * Adds the model's layers after {@code input} and returns the name of the vertex holding the logits
     * (N×classes×H×W). Newly initialised classifier layers are marked with {@link GraphBlocks#markHead}.
     */
    String define(GraphBlocks g, String input, ModelSpec spec);
}
