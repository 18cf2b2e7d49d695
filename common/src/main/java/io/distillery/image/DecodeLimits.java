package io.distillery.image;

import java.io.Serializable;

/**
 * Images above these sizes are rejected from their header, before any pixel is decoded, so one hostile or
 * absurd file (a 100000 x 100000 PNG is a few hundred bytes) cannot exhaust an executor's memory.
 *
 * @param maxPixels the most pixels (width x height) an image may have
 * @param maxSide   the most pixels either side may have
 */
public record DecodeLimits(long maxPixels, int maxSide) implements Serializable {
    public DecodeLimits {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be > 0, got " + maxPixels);
        }
        if (maxSide <= 0) {
            throw new IllegalArgumentException("maxSide must be > 0, got " + maxSide);
        }
    }

    /** 100 million pixels, 20000 per side. */
    public static DecodeLimits defaults() {
        return new DecodeLimits(100_000_000L, 20_000);
    }

    boolean allow(long width, long height) {
        return width <= maxSide && height <= maxSide && width * height <= maxPixels;
    }
}
