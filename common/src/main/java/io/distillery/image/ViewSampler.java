package io.distillery.image;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;

/**
 * Chooses views: timm's eval view (centred square of {@code evalCropPct} of the shorter side) and torchvision's
 * RandomResizedCrop + horizontal flip. Random views are a pure function of (job seed, sample key, view index),
 * seeded through SHA-256, so reruns and retried tasks produce identical rows on any JVM.
 */
public final class ViewSampler {
    private static final int ATTEMPTS = 10;
    private final int size;
    private final double evalCropPct;
    private final double scaleMin;
    private final double scaleMax;
    private final double ratioMin;
    private final double ratioMax;
    private final boolean hflip;

    public ViewSampler(int size, double evalCropPct, double scaleMin, double scaleMax, double ratioMin, double ratioMax,
                       boolean hflip) {
        if (size <= 0 || !(evalCropPct > 0 && evalCropPct <= 1) || !(scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1)
                || !(ratioMin > 0 && ratioMin <= ratioMax)) {
            throw new IllegalArgumentException("bad view settings: size " + size + ", eval crop " + evalCropPct
                    + ", scale [" + scaleMin + ", " + scaleMax + "], ratio [" + ratioMin + ", " + ratioMax + "]");
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

    public ViewSpec evalView(int w, int h) {
        double side = Math.min(w, h) * evalCropPct;
        return new ViewSpec(0, (w - side) / 2, (h - side) / 2, side, side, false);
    }

    /** torchvision {@code RandomResizedCrop.get_params}, then a flip with probability 0.5. */
    public ViewSpec randomView(long jobSeed, String key, int viewIndex, int w, int h) {
        if (viewIndex < 1) {
            throw new IllegalArgumentException("random views are numbered from 1, got " + viewIndex);
        }
        SplittableRandom random = new SplittableRandom(seed(jobSeed, key, viewIndex));
        double area = (double) w * h;
        double logMin = Math.log(ratioMin);
        double logMax = Math.log(ratioMax);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            double target = area * uniform(random, scaleMin, scaleMax);
            double ratio = Math.exp(uniform(random, logMin, logMax));
            long cw = Math.round(Math.sqrt(target * ratio));
            long ch = Math.round(Math.sqrt(target / ratio));
            if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
                long top = random.nextLong(h - ch + 1);
                long left = random.nextLong(w - cw + 1);
                return new ViewSpec(viewIndex, left, top, cw, ch, flip(random));
            }
        }
        // fallback: central crop with the ratio clamped into range
        double inRatio = (double) w / h;
        double cw;
        double ch;
        if (inRatio < ratioMin) {
            cw = w;
            ch = Math.round(cw / ratioMin);
        } else if (inRatio > ratioMax) {
            ch = h;
            cw = Math.round(ch * ratioMax);
        } else {
            cw = w;
            ch = h;
        }
        return new ViewSpec(viewIndex, Math.floor((w - cw) / 2), Math.floor((h - ch) / 2), cw, ch, flip(random));
    }

    private boolean flip(SplittableRandom random) {
        return hflip && random.nextDouble() < 0.5;
    }

    private static double uniform(SplittableRandom random, double lo, double hi) {
        return lo + (hi - lo) * random.nextDouble();
    }

    /** First 8 bytes of SHA-256(seed \0 key \0 view): stable across JVMs, unlike String.hashCode mixes. */
    static long seed(long jobSeed, String key, int viewIndex) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((jobSeed + "\0" + key + "\0" + viewIndex).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest, 0, 8).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
