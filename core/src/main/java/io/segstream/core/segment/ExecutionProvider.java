package io.segstream.core.segment;

import java.util.Arrays;
import java.util.Locale;

/** Where ONNX Runtime runs the model. */
public enum ExecutionProvider {
    /** ONNX Runtime's own CPU kernels; always available. */
    CPU,
    /** NVIDIA CUDA (needs the {@code onnxruntime_gpu} build, CUDA and cuDNN on the machine). */
    CUDA,
    /** NVIDIA TensorRT through ONNX Runtime, CUDA for the nodes TensorRT does not take. */
    TENSORRT;

    /** Parses {@code cpu}, {@code cuda}, {@code tensorrt} (or {@code trt}), ignoring case. */
    public static ExecutionProvider parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (t.equals("TRT")) {
            return TENSORRT;
        }
        try {
            return valueOf(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("execution provider '" + text + "' is unknown; use one of "
                    + Arrays.toString(values()).toLowerCase(Locale.ROOT), e);
        }
    }
}
