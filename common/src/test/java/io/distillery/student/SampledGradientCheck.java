package io.distillery.student;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * GradientCheckUtil's comparison (central differences of the score against the backpropagated gradient, divided by
 * the minibatch size as the no-op updater does) on a few entries of every parameter tensor: DL4J's utility checks all
 * of a graph's parameters, which takes minutes for a multi-branch graph here.
 */
final class SampledGradientCheck {
    private SampledGradientCheck() {}

    /** Returns the failures, one line each ("layer_param[i]: analytic a, numeric n"); empty when all pass. */
    static List<String> failures(
            ComputationGraph net,
            INDArray[] inputs,
            INDArray[] labels,
            int perTensor,
            double epsilon,
            double maxRelError,
            double minAbsError) {
        net.setInputs(inputs);
        net.setLabels(labels);
        net.computeGradientAndScore();
        Gradient gradient = net.gradient();
        new ComputationGraphUpdater(net)
                .update(gradient, 0, 0, (int) inputs[0].size(0), LayerWorkspaceMgr.noWorkspaces());
        MultiDataSet batch = new MultiDataSet(inputs, labels);
        Random random = new Random(5);
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, INDArray> entry : net.paramTable().entrySet()) {
            INDArray param = entry.getValue();
            INDArray analytic = gradient.gradientForVariable().get(entry.getKey());
            if (analytic == null) {
                failures.add(entry.getKey() + ": no gradient");
                continue;
            }
            for (int s = 0; s < Math.min(perTensor, param.length()); s++) {
                long i = s == 0 ? 0 : (long) random.nextInt((int) param.length());
                // indices, not a flat reshape: an 'f'-ordered view (DenseLayer's W) would reshape to a copy
                long[] at = Shape.ind2subC(param, i);
                double original = param.getDouble(at);
                param.putScalar(at, original + epsilon);
                double plus = net.score(batch, true);
                param.putScalar(at, original - epsilon);
                double minus = net.score(batch, true);
                param.putScalar(at, original);
                double numeric = (plus - minus) / (2 * epsilon);
                double a = analytic.getDouble(at);
                double abs = Math.abs(a - numeric);
                double rel = abs == 0 ? 0 : abs / (Math.abs(a) + Math.abs(numeric));
                if (rel > maxRelError && abs > minAbsError || Double.isNaN(a) || Double.isNaN(numeric)) {
                    failures.add(entry.getKey() + "[" + i + "]: analytic " + a + ", numeric " + numeric);
                }
            }
        }
        return failures;
    }
}
