package io.distillery.extract;

import io.distillery.image.RgbImage;
import io.distillery.image.ViewSpec;
import io.distillery.shards.RawSample;

/** One rendered view waiting for its teacher batch. */
record PendingView(RawSample sample, int srcWidth, int srcHeight, ViewSpec view, RgbImage pixels) {}
