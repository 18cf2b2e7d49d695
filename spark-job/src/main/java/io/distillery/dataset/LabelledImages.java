package io.distillery.dataset;

import io.distillery.features.FeatureColumns;
import io.distillery.image.DecodeLimits;
import io.distillery.image.ImageDecoder;
import io.distillery.image.ImageRejectedException;
import io.distillery.image.RgbImage;
import io.distillery.image.ViewRenderer;
import io.distillery.image.ViewSampler;
import io.distillery.image.ViewSpec;
import io.distillery.shards.InputOptions;
import io.distillery.shards.RawSample;
import io.distillery.shards.Shard;
import io.distillery.shards.ShardLister;
import io.distillery.shards.ShardPlan;
import io.distillery.shards.ShardReader;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A labelled image dataset (any shard format extract reads) as rows {@code key, view, label, pixels, caption} (the
 * caption as extract reads it, or null) — the same
 * columns and pixel layout as a feature dataset, so finetune and evaluate read either. Views are made on the
 * executors exactly as extract makes them (view 0 = eval view; 1..K random-resized-crop + flip seeded by the
 * sample key), with the job's view settings and decode limits; undecodable images are skipped and counted in the
 * executor log.
 */
public record LabelledImages(Dataset<Row> rows, List<String> classNames, long estimatedImages) {
    private static final Logger LOG = LoggerFactory.getLogger(LabelledImages.class);

    public static final StructType SCHEMA = new StructType()
            .add(FeatureColumns.KEY, DataTypes.StringType, false)
            .add(FeatureColumns.VIEW, DataTypes.IntegerType, false)
            .add(FeatureColumns.LABEL, DataTypes.IntegerType, true)
            .add(FeatureColumns.PIXELS, DataTypes.BinaryType, false)
            .add(FeatureColumns.CAPTION, DataTypes.StringType, true);

    /**
     * How views are cut from the images.
     *
     * @param imgSize  the model's input side: views are rendered imgSize x imgSize
     * @param settings which views, as extract's {@code views.*}
     * @param decode   images beyond these are skipped
     * @param seed     random views are a function of (seed, key, view index)
     */
    public record Views(int imgSize, ViewSettings settings, DecodeLimits decode, long seed) implements Serializable {}

    public static LabelledImages load(SparkSession spark, InputOptions input, Views views) throws IOException {
        ShardPlan plan = ShardLister.list(input, spark.sparkContext().hadoopConfiguration());
        LOG.info(
                "labelled images {}: {} shards, ~{} images, {} classes, {} view(s) each",
                input.path(),
                plan.shards().size(),
                plan.estimatedSamples(),
                plan.classNames().size(),
                views.settings().random() + 1);
        JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(plan.shards(), Math.max(1, plan.shards().size()))
                .flatMap(new ShardViews(input, plan.classNames(), views));
        return new LabelledImages(spark.createDataFrame(rows, SCHEMA), plan.classNames(), plan.estimatedSamples());
    }

    /** Executor side: one shard in, its views out. */
    private static final class ShardViews implements FlatMapFunction<Shard, Row> {
        private static final long serialVersionUID = 1L;
        private final InputOptions input;
        private final List<String> classNames;
        private final Views views;

        ShardViews(InputOptions input, List<String> classNames, Views views) {
            this.input = input;
            this.classNames = List.copyOf(classNames);
            this.views = views;
        }

        @Override
        public Iterator<Row> call(Shard shard) throws IOException {
            Configuration conf = org.apache.spark.deploy.SparkHadoopUtil.get().conf();
            ViewSampler sampler = views.settings().sampler(views.imgSize());
            List<Row> out = new ArrayList<>();
            long rejected = 0;
            try (ShardReader reader = ShardReader.open(shard, input, classNames, conf)) {
                while (reader.hasNext()) {
                    RawSample sample = reader.next();
                    if (sample.problem() != null) { // e.g. no image member: nothing to evaluate
                        rejected++;
                        continue;
                    }
                    RgbImage image;
                    try {
                        image = ImageDecoder.decode(sample.image(), sample.imageName(), views.decode());
                    } catch (ImageRejectedException e) {
                        rejected++;
                        continue;
                    }
                    for (int v = 0; v <= views.settings().random(); v++) {
                        ViewSpec view = v == 0
                                ? sampler.evalView(image.width(), image.height())
                                : sampler.randomView(views.seed(), sample.key(), v, image.width(), image.height());
                        out.add(RowFactory.create(
                                sample.key(),
                                v,
                                sample.label(),
                                ViewRenderer.render(image, view, views.imgSize())
                                        .toRgbBytes(),
                                sample.caption()));
                    }
                }
            }
            if (rejected > 0) {
                LOG.warn("shard {}: {} sample(s) without a usable image skipped", shard.id(), rejected);
            }
            return out.iterator();
        }
    }
}
