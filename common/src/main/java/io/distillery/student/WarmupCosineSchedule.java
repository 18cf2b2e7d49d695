package io.distillery.student;

import org.nd4j.linalg.schedule.ISchedule;

/**
 * Linear warm-up from {@code base/warmup} to {@code base} over the first {@code warmup} iterations, then cosine decay
 * to {@code finalValue} at {@code total} iterations (held there afterwards) — the data2vec / timm recipe. Driven by
 * DL4J's iteration counter, which parameter averaging advances by the averaging frequency per round.
 */
public class WarmupCosineSchedule implements ISchedule {
    private double base;
    private double finalValue;
    private int warmup;
    private int total;

    protected WarmupCosineSchedule() {}

    public WarmupCosineSchedule(double base, double finalValue, int warmup, int total) {
        if (!(base > 0) || finalValue < 0 || warmup < 0 || total < 1 || warmup > total) {
            throw new IllegalArgumentException("invalid schedule: base " + base + ", final " + finalValue + ", warm-up "
                    + warmup + ", total " + total + " (need base > 0, 0 <= warm-up <= total, total >= 1)");
        }
        this.base = base;
        this.finalValue = finalValue;
        this.warmup = warmup;
        this.total = total;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration < warmup) {
            return base * (iteration + 1) / warmup;
        }
        if (iteration >= total || total == warmup) {
            return finalValue;
        }
        double progress = (double) (iteration - warmup) / (total - warmup);
        return finalValue + 0.5 * (base - finalValue) * (1 + Math.cos(Math.PI * progress));
    }

    @Override
    public ISchedule clone() {
        return new WarmupCosineSchedule(base, finalValue, warmup, total);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupCosineSchedule s
                && s.base == base
                && s.finalValue == finalValue
                && s.warmup == warmup
                && s.total == total;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(base, finalValue, warmup, total);
    }

    public double getBase() {
        return base;
    }

    public void setBase(double base) {
        this.base = base;
    }

    public double getFinalValue() {
        return finalValue;
    }

    public void setFinalValue(double finalValue) {
        this.finalValue = finalValue;
    }

    public int getWarmup() {
        return warmup;
    }

    public void setWarmup(int warmup) {
        this.warmup = warmup;
    }

    public int getTotal() {
        return total;
    }

    public void setTotal(int total) {
        this.total = total;
    }
}
