package io.distillery.eval;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * Limited-memory BFGS (Nocedal &amp; Wright, Numerical Optimization, alg. 7.4/7.5) with a backtracking Armijo line
 * search, enough for smooth convex objectives such as the linear probe's. Deterministic: no randomness anywhere.
 */
final class Lbfgs {

    /** A smooth function: returns f(x) and writes its gradient into {@code gradient}. */
    interface Objective {
        double evaluate(double[] x, double[] gradient);
    }

    /** Why the optimiser stopped, with the point it stopped at. */
    record Result(double[] x, double value, int iterations, boolean converged, String stop) {}

    private static final double ARMIJO_C1 = 1e-4;
    private static final int MAX_BACKTRACKS = 60;
    /** Relative decrease of f below this counts as converged (scipy's factr = 1e7 times machine epsilon). */
    private static final double RELATIVE_DECREASE = 2.2e-9;

    private Lbfgs() {}

    static Result minimize(Objective f, double[] x0, int history, int maxIterations, double gradientTolerance) {
        int n = x0.length;
        double[] x = x0.clone();
        double[] g = new double[n];
        double fx = f.evaluate(x, g);
        Deque<double[][]> pairs = new ArrayDeque<>(); // {s, y, {1 / s.y}}, newest first
        double[] xn = new double[n];
        double[] gn = new double[n];
        for (int iter = 0; iter < maxIterations; iter++) {
            if (normInf(g) <= gradientTolerance) {
                return new Result(x, fx, iter, true, "gradient norm below " + gradientTolerance);
            }
            double[] d = direction(g, pairs);
            double slope = dot(g, d);
            if (!(slope < 0)) { // not a descent direction (numerical trouble): restart from steepest descent
                pairs.clear();
                d = direction(g, pairs);
                slope = dot(g, d);
            }
            // Without curvature information the first step is scaled to unit length.
            double step = pairs.isEmpty() ? Math.min(1, 1 / Math.sqrt(dot(g, g))) : 1;
            double fn = Double.NaN;
            int tries = 0;
            for (; tries < MAX_BACKTRACKS; tries++, step *= 0.5) {
                for (int i = 0; i < n; i++) {
                    xn[i] = x[i] + step * d[i];
                }
                fn = f.evaluate(xn, gn);
                if (fn <= fx + ARMIJO_C1 * step * slope) {
                    break;
                }
            }
            if (tries == MAX_BACKTRACKS) {
                return new Result(x, fx, iter, false, "line search found no decrease");
            }
            double[] s = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                s[i] = xn[i] - x[i];
                y[i] = gn[i] - g[i];
            }
            double sy = dot(s, y);
            if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) { // keep the inverse Hessian positive definite
                pairs.addFirst(new double[][] {s, y, {1 / sy}});
                if (pairs.size() > history) {
                    pairs.removeLast();
                }
            }
            double decrease = fx - fn;
            System.arraycopy(xn, 0, x, 0, n);
            System.arraycopy(gn, 0, g, 0, n);
            fx = fn;
            if (decrease <= RELATIVE_DECREASE * Math.max(1, Math.abs(fx))) {
                return new Result(x, fx, iter + 1, true, "relative decrease of the loss below " + RELATIVE_DECREASE);
            }
        }
        boolean converged = normInf(g) <= gradientTolerance;
        return new Result(x, fx, maxIterations, converged, "iteration limit " + maxIterations);
    }

    /** -H g by the two-loop recursion; -g when there is no history. */
    private static double[] direction(double[] g, Deque<double[][]> pairs) {
        double[] q = g.clone();
        double[] alpha = new double[pairs.size()];
        int i = 0;
        for (double[][] p : pairs) {
            alpha[i] = p[2][0] * dot(p[0], q);
            axpy(-alpha[i], p[1], q);
            i++;
        }
        if (!pairs.isEmpty()) {
            double[][] newest = pairs.peekFirst();
            double gamma = 1 / (newest[2][0] * dot(newest[1], newest[1]));
            scale(gamma, q);
        }
        Iterator<double[][]> oldestFirst = pairs.descendingIterator();
        i = pairs.size() - 1;
        while (oldestFirst.hasNext()) {
            double[][] p = oldestFirst.next();
            double beta = p[2][0] * dot(p[1], q);
            axpy(alpha[i] - beta, p[0], q);
            i--;
        }
        scale(-1, q);
        return q;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static void scale(double a, double[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= a;
        }
    }

    private static double normInf(double[] x) {
        double m = 0;
        for (double v : x) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
