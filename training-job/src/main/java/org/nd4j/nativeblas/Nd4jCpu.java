package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * Answers the question deeplearning4j-nn 1.0.0-M2.1 asks before it uses its oneDNN layer helpers (convolution,
 * batch normalisation, pooling): {@code BaseMKLDNNHelper.mklDnnEnabled()} looks up {@code Nd4jCpu$Environment} under
 * this package, where ND4J kept it before M2; in M2.1 it lives in {@code org.nd4j.linalg.cpu.nativecpu.bindings}, the
 * lookup fails and every layer falls back to DL4J's slow Java-side implementation. This class forwards the question
 * to the real environment. It is looked up by name only, and only on the CPU backend.
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    /** The environment as {@code BaseMKLDNNHelper} expects it: {@code getInstance().isUseMKLDNN()}. */
    public static final class Environment {

        private static final Environment INSTANCE = new Environment();
        private static final String REAL = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        /** Whether libnd4j was built with oneDNN and uses it; false where the CPU backend is absent. */
        public boolean isUseMKLDNN() {
            try {
                Class<?> real = Class.forName(REAL);
                Object env = real.getMethod("getInstance").invoke(null);
                Method useOneDnn = real.getMethod("isUseONEDNN");
                return (Boolean) useOneDnn.invoke(env);
            } catch (ReflectiveOperationException | LinkageError e) {
                return false;
            }
        }
    }
}
