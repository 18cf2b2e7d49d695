package io.distillery.image;

/** Images above these sizes are rejected from their header, before any pixel is decoded. */
public record DecodeLimits(long maxPixels, int maxSide) {
    public DecodeLimits {
        if (maxPixels <= 0 || maxSide <= 0) {
            throw new IllegalArgumentException("decode limits must be > 0, got " + maxPixels + " pixels, side " + maxSide);
        }
    }

    public static DecodeLimits defaults() {
        return new DecodeLimits(100_000_000L, 20_000);
    }
}
