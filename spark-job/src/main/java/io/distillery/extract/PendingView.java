package io.distillery.extract;

import io.distillery.image.RgbImage;
import io.distillery.image.ViewSpec;
import io.distillery.shards.RawSample;

/**
 * One rendered view waiting for its teacher batch.
 *
 * @param caption the sample's tokenized caption on its view-0 view when the extract has a caption teacher; else null
 */
record PendingView(
        RawSample sample, int srcWidth, int srcHeight, ViewSpec view, RgbImage pixels, CaptionInput caption) {}
