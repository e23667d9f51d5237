package io.segstream.training.graph;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the project's subclasses of DL4J layer configurations share: taking the settings of a layer DL4J's builder
 * built (its builder constructors are private), and wiring up the runtime layer their {@code instantiate} returns.
 */
final class LayerConfigs {
    private LayerConfigs() {
    }

    /** Copies every instance field declared in {@code type} and its superclasses from {@code from} into {@code to}. */
    static <T> void copy(Class<T> type, T from, T to) {
        for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    f.setAccessible(true);
                    try {
                        f.set(to, f.get(from));
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException("cannot copy layer setting " + f.getName(), e);
                    }
                }
            }
        }
    }

    /** Sets up {@code layer} as DL4J's own {@code instantiate} does: listeners, index, parameter views and table. */
    static <L extends Layer> L wire(L layer, NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, ParamInitializer initializer) {
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(initializer.init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
