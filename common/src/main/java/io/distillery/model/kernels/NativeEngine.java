package io.distillery.model.kernels;

import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Chooses a layer's implementation: the hand-written kernels ({@code native}, the default) on ND4J's CPU backend
 * in FLOAT or DOUBLE, else the SameDiff definition of the layer ({@code samediff}: GPU backends, other data types,
 * or {@code -Ddistillery.engine=samediff} to compare). The choice is made when a graph is initialised; both give
 * the same results to rounding (tests compare them) on the same parameters.
 */
public final class NativeEngine {
    public static final String PROPERTY = "distillery.engine";

    private NativeEngine() {}

    public static boolean enabled(DataType dataType) {
        String chosen = System.getProperty(PROPERTY, "native").trim().toLowerCase(Locale.ROOT);
        if (!chosen.equals("native") && !chosen.equals("samediff")) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be native or samediff, got '" + chosen + "'");
        }
        return chosen.equals("native") && (dataType == DataType.FLOAT || dataType == DataType.DOUBLE) && cpuBackend();
    }

    private static boolean cpuBackend() {
        return Nd4j.getBackend().getClass().getName().toLowerCase(Locale.ROOT).contains("cpu");
    }
}
