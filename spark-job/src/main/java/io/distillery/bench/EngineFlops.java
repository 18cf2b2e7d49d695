package io.distillery.bench;

import io.distillery.model.ModelConfig;

/**
 * Analytic FLOPs per image of an encoder, from its shapes alone: 2·m·n·k for every matmul (patch embedding, qkv,
 * attention QKᵀ and PV, proj, fc1, fc2, and the student head's projection when the target width differs), nothing
 * for elementwise ops, norms, softmax or the optimiser. A training step counts 3 × forward (forward, and the two
 * matmuls of the backward pass per forward matmul). {@code bench/torch_engine.py} uses the same formula.
 */
public final class EngineFlops {
    private EngineFlops() {}

    /** Forward FLOPs per image of the encoder alone (patch embedding + blocks). */
    public static long forward(ModelConfig c) {
        long patches = c.numPatches();
        long t = c.tokens();
        long d = c.embedDim();
        long hidden = c.mlpHidden();
        long embed = 2 * patches * ((long) c.inChans() * c.patchSize() * c.patchSize()) * d;
        long qkv = 2 * t * d * 3 * d;
        long attention = 2 * (2 * t * t * d); // QKᵀ and PV: per head T·T·hd, summed over heads T·T·D
        long proj = 2 * t * d * d;
        long mlp = 2 * (2 * t * d * hidden);
        return embed + c.depth() * (qkv + attention + proj + mlp);
    }

    /** Forward FLOPs per image of the student graph: the encoder plus the head's projection D → D_t, if any. */
    public static long studentForward(ModelConfig student, int targetDim) {
        long projection =
                targetDim == student.embedDim() ? 0 : 2L * student.numPatches() * student.embedDim() * targetDim;
        return forward(student) + projection;
    }

    /** FLOPs per image of one training step of the student graph. */
    public static long trainStep(ModelConfig student, int targetDim) {
        return 3 * studentForward(student, targetDim);
    }

    /** The fraction of {@code threads} cores at {@code peakGflopsPerCore} that {@code imagesPerSecond} uses. */
    public static double fractionOfLimit(
            long flopsPerImage, double imagesPerSecond, double peakGflopsPerCore, int threads) {
        return flopsPerImage * imagesPerSecond / (peakGflopsPerCore * 1e9 * threads);
    }
}
