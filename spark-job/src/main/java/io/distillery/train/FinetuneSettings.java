package io.distillery.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.distillery.config.SectionReader;
import io.distillery.dataset.DecodeSettings;
import io.distillery.dataset.ViewSettings;
import io.distillery.image.DecodeLimits;
import io.distillery.losses.CrossEntropyLoss;
import io.distillery.shards.InputOptions;

/**
 * Settings of {@code distillery finetune}: the shared training knobs plus where the labelled data comes from
 * (a feature dataset's label column, or labelled image shards read like extract's input) and the classifier width.
 *
 * @param images     labelled image shards (null = use {@code common.dataset()})
 * @param views      how views are cut from {@code images} (image input only; held-out images get the eval view)
 * @param decode     images beyond these are skipped (image input only)
 * @param evalImages held-out labelled shards for the reported accuracy (null = the training rows' eval views)
 * @param numClasses classifier width; 0 = the number of class names of the data
 * @param labelSmoothing ε of the cross-entropy's label smoothing, in [0, 1); 0 = plain one-hot targets
 */
public record FinetuneSettings(
        TrainSettings common,
        InputOptions images,
        ViewSettings views,
        DecodeLimits decode,
        InputOptions evalImages,
        int numClasses,
        double labelSmoothing) {

    public static final String SECTION = "distillery.finetune";

    public FinetuneSettings {
        if ((common.dataset() == null) == (images == null)) {
            throw new IllegalArgumentException(SECTION + ": set exactly one of dataset (a feature dataset) and "
                    + "images.path (labelled image shards)");
        }
        CrossEntropyLoss.checkedSmoothing(labelSmoothing, SECTION + ".label-smoothing");
    }

    /** The id a run's checkpoints are tied to. */
    public String dataId() {
        return common.dataset() != null ? common.dataset() : images.path();
    }

    public static FinetuneSettings from(Config c) {
        TrainSettings common = TrainSettings.from(c, SECTION);
        SectionReader r = new SectionReader(c, SECTION);
        try {
            return new FinetuneSettings(
                    common,
                    InputOptions.images(r, "images", false),
                    ViewSettings.from(r),
                    DecodeSettings.from(r),
                    InputOptions.images(r, "eval-images", false),
                    c.getInt("num-classes"),
                    c.getDouble("label-smoothing"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(SECTION + ": " + e.getMessage(), e);
        }
    }
}
