package io.distillery.eval;

/**
 * Zero-shot hits: how many images had their label as the best class (top-1) and among the five best (top-5).
 *
 * @param top1Correct images whose label is the best class
 * @param top5Correct images whose label is among the five best classes (all images when there are at most 5)
 * @param total       images evaluated
 */
public record ZeroShotAccuracy(long top1Correct, long top5Correct, long total) {

    public ZeroShotAccuracy {
        if (total < 1 || top1Correct < 0 || top1Correct > top5Correct || top5Correct > total) {
            throw new IllegalArgumentException(
                    "inconsistent zero-shot counts: top-1 " + top1Correct + ", top-5 " + top5Correct + " of " + total);
        }
    }

    /** Top-1 accuracy in [0, 1]. */
    public double top1() {
        return (double) top1Correct / total;
    }

    /** Top-5 accuracy in [0, 1]. */
    public double top5() {
        return (double) top5Correct / total;
    }
}
