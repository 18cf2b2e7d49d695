package io.distillery.dataset;

import io.distillery.config.SectionReader;
import io.distillery.image.ViewSampler;
import java.io.Serializable;

/**
 * How views are cut from each image, the {@code views} settings of extract and finetune: view 0 is the eval view (a
 * centred crop of {@code evalCropPct} of the shorter side), views 1..{@code random} are random-resized crops of
 * {@code scale} of the area and {@code ratio} aspect, mirrored with probability 0.5 when {@code hflip}. Checked here,
 * on the driver: a value {@link ViewSampler} refuses would otherwise fail every task.
 */
public record ViewSettings(
        int random,
        double evalCropPct,
        double scaleMin,
        double scaleMax,
        double ratioMin,
        double ratioMax,
        boolean hflip)
        implements Serializable {

    /** Messages name the key relative to the job's section; {@link #from} puts the section in front. */
    public ViewSettings {
        if (random < 0) {
            throw new IllegalArgumentException("views.random must be >= 0, got " + random);
        }
        if (!(evalCropPct > 0 && evalCropPct <= 1)) {
            throw new IllegalArgumentException("views.eval-crop-pct must be within (0, 1], got " + evalCropPct);
        }
        if (!(scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1)) {
            throw new IllegalArgumentException("views.scale must be [min, max] with 0 < min <= max <= 1, got ["
                    + scaleMin + ", " + scaleMax + "]");
        }
        if (!(ratioMin > 0 && ratioMin <= ratioMax && Double.isFinite(ratioMax))) {
            throw new IllegalArgumentException(
                    "views.ratio must be [min, max] with 0 < min <= max, got [" + ratioMin + ", " + ratioMax + "]");
        }
    }

    /** The eval view only, with torchvision's defaults for the (unused) random crops. */
    public static ViewSettings evalOnly(double evalCropPct) {
        return new ViewSettings(0, evalCropPct, 0.08, 1.0, 0.75, 4.0 / 3, true);
    }

    /** Reads the section's {@code views.*} keys; every error names the key. */
    public static ViewSettings from(SectionReader r) {
        double[] scale = r.range("views.scale");
        double[] ratio = r.range("views.ratio");
        try {
            return new ViewSettings(
                    r.config().getInt("views.random"),
                    r.config().getDouble("views.eval-crop-pct"),
                    scale[0],
                    scale[1],
                    ratio[0],
                    ratio[1],
                    r.config().getBoolean("views.hflip"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(r.name(e.getMessage()), e);
        }
    }

    /** The same eval view without random views (held-out images are only ever seen through the eval view). */
    public ViewSettings withoutRandomViews() {
        return new ViewSettings(0, evalCropPct, scaleMin, scaleMax, ratioMin, ratioMax, hflip);
    }

    /** The sampler that cuts these views at {@code size} x {@code size} pixels. */
    public ViewSampler sampler(int size) {
        return new ViewSampler(size, evalCropPct, scaleMin, scaleMax, ratioMin, ratioMax, hflip);
    }
}
