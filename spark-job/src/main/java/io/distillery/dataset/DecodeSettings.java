package io.distillery.dataset;

import io.distillery.config.SectionReader;
import io.distillery.image.DecodeLimits;

/** Reads a job section's {@code decode.*} keys into {@link DecodeLimits}, checked on the driver naming the key. */
public final class DecodeSettings {
    private DecodeSettings() {}

    public static DecodeLimits from(SectionReader r) {
        long maxPixels = r.config().getLong("decode.max-pixels");
        int maxSide = r.config().getInt("decode.max-side");
        if (maxPixels < 1) {
            throw new IllegalArgumentException(r.name("decode.max-pixels") + " must be >= 1, got " + maxPixels);
        }
        if (maxSide < 1) {
            throw new IllegalArgumentException(r.name("decode.max-side") + " must be >= 1, got " + maxSide);
        }
        return new DecodeLimits(maxPixels, maxSide);
    }
}
