package io.distillery.image;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Chooses views: timm's eval view (a centred square of {@code evalCropPct} of the shorter side) and torchvision's
 * {@code RandomResizedCrop} followed by {@code RandomHorizontalFlip}. A random view is a pure function of
 * (job seed, sample key, view index): its random stream is seeded from SHA-256 of the three, so reruns, retried
 * tasks and other JVMs produce identical views, whatever order the samples are processed in.
 */
public final class ViewSampler {
    private static final int ATTEMPTS = 10; // torchvision's RandomResizedCrop.get_params
    private final int size;
    private final double evalCropPct;
    private final double scaleMin;
    private final double scaleMax;
    private final double ratioMin;
    private final double ratioMax;
    private final boolean hflip;

    /**
     * @param size        the model's input side in pixels (views are rendered size x size)
     * @param evalCropPct fraction of the shorter side the eval view keeps (timm's crop_pct; 1.0 = all of it)
     * @param scaleMin    smallest area fraction of a random view (torchvision's default 0.08)
     * @param scaleMax    largest area fraction of a random view (1.0)
     * @param ratioMin    smallest width/height ratio of a random view (3/4)
     * @param ratioMax    largest width/height ratio of a random view (4/3)
     * @param hflip       mirror random views with probability 0.5
     */
    public ViewSampler(
            int size,
            double evalCropPct,
            double scaleMin,
            double scaleMax,
            double ratioMin,
            double ratioMax,
            boolean hflip) {
        if (size <= 0) {
            throw new IllegalArgumentException("view size must be > 0, got " + size);
        }
        if (!(evalCropPct > 0 && evalCropPct <= 1)) {
            throw new IllegalArgumentException("eval crop fraction must be in (0, 1], got " + evalCropPct);
        }
        if (!(scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1)) {
            throw new IllegalArgumentException(
                    "scale range must satisfy 0 < min <= max <= 1, got [" + scaleMin + ", " + scaleMax + "]");
        }
        if (!(ratioMin > 0 && ratioMin <= ratioMax && Double.isFinite(ratioMax))) {
            throw new IllegalArgumentException(
                    "aspect ratio range must satisfy 0 < min <= max < inf, got [" + ratioMin + ", " + ratioMax + "]");
        }
        this.size = size;
        this.evalCropPct = evalCropPct;
        this.scaleMin = scaleMin;
        this.scaleMax = scaleMax;
        this.ratioMin = ratioMin;
        this.ratioMax = ratioMax;
        this.hflip = hflip;
    }

    public int size() {
        return size;
    }

    /**
     * timm's eval transform (resize the shorter side to {@code size / evalCropPct}, centre-crop {@code size}) as a
     * box in source pixels: the centred square of side {@code min(w, h) * evalCropPct}, not flipped.
     */
    public ViewSpec evalView(int w, int h) {
        requireImageSize(w, h);
        double side = Math.min(w, h) * evalCropPct;
        return new ViewSpec(0, (w - side) / 2, (h - side) / 2, side, side, false);
    }

    /**
     * torchvision {@code RandomResizedCrop.get_params} (integer box), then a flip with probability 0.5.
     *
     * @param viewIndex 1.. (0 is the eval view)
     */
    public ViewSpec randomView(long jobSeed, String sampleKey, int viewIndex, int w, int h) {
        Objects.requireNonNull(sampleKey, "sampleKey");
        if (viewIndex < 1) {
            throw new IllegalArgumentException("random views are numbered from 1, got " + viewIndex);
        }
        requireImageSize(w, h);
        SplittableRandom random = new SplittableRandom(seed(jobSeed, sampleKey, viewIndex));
        double area = (double) w * h;
        double logRatioMin = Math.log(ratioMin);
        double logRatioMax = Math.log(ratioMax);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            double targetArea = area * uniform(random, scaleMin, scaleMax);
            double ratio = Math.exp(uniform(random, logRatioMin, logRatioMax));
            long cw = pythonRound(Math.sqrt(targetArea * ratio));
            long ch = pythonRound(Math.sqrt(targetArea / ratio));
            if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
                long top = random.nextLong(h - ch + 1); // torch.randint(0, h - ch + 1), drawn before the left edge
                long left = random.nextLong(w - cw + 1);
                return new ViewSpec(viewIndex, left, top, cw, ch, flip(random));
            }
        }
        // all attempts failed: the central crop with the aspect ratio clamped into range
        double inRatio = (double) w / h;
        long cw;
        long ch;
        if (inRatio < ratioMin) {
            cw = w;
            ch = pythonRound(cw / ratioMin);
        } else if (inRatio > ratioMax) {
            ch = h;
            cw = pythonRound(ch * ratioMax);
        } else {
            cw = w;
            ch = h;
        }
        return new ViewSpec(viewIndex, (w - cw) / 2, (h - ch) / 2, cw, ch, flip(random));
    }

    private boolean flip(SplittableRandom random) {
        return hflip && random.nextDouble() < 0.5;
    }

    private static double uniform(SplittableRandom random, double lo, double hi) {
        return lo + (hi - lo) * random.nextDouble();
    }

    /** Python's {@code round}: halves go to the even neighbour, unlike {@link Math#round}. */
    private static long pythonRound(double v) {
        return (long) Math.rint(v);
    }

    private static void requireImageSize(int w, int h) {
        if (w <= 0 || h <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + w + "x" + h);
        }
    }

    /**
     * The first 8 bytes (big-endian) of SHA-256 over the UTF-8 of {@code jobSeed + "\0" + key + "\0" + viewIndex}:
     * stable across JVMs and releases, unlike {@code String.hashCode} mixes or {@code Objects.hash}.
     */
    static long seed(long jobSeed, String key, int viewIndex) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((jobSeed + "\0" + key + "\0" + viewIndex).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest, 0, 8).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
