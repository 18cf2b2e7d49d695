package io.distillery.extract;

import io.distillery.dataset.DatasetLayout;
import io.distillery.extract.ShardTimings.Phase;
import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.FeatureMetadataJson;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import io.distillery.image.ImageDecoder;
import io.distillery.image.ImageRejectedException;
import io.distillery.image.RgbImage;
import io.distillery.image.ViewRenderer;
import io.distillery.image.ViewSampler;
import io.distillery.image.ViewSpec;
import io.distillery.model.EncoderPool;
import io.distillery.shards.RawSample;
import io.distillery.shards.Shard;
import io.distillery.shards.ShardCorruptException;
import io.distillery.shards.ShardReader;
import io.distillery.spark.ExecutorModelCache;
import io.distillery.targets.TargetRecipe;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor side of the extract job for one shard: read samples, decode (or reject), render the eval and random
 * views, run the cached teacher in batches, write feature rows and rejects to attempt-unique temp files, then
 * commit. A corrupt shard (e.g. a truncated tar) is reported as a failed shard naming the file, not a crash.
 */
public final class ShardExtractor {
    private static final Logger LOG = LoggerFactory.getLogger(ShardExtractor.class);

    private final ExtractSettings settings;
    private final FeatureMetadata metadata;
    private final String metadataJson;
    private final List<String> classNames;
    private final Configuration conf;
    private final ExtractCounters counters;
    private final TestHooks hooks;

    public ShardExtractor(
            ExtractSettings settings,
            String metadataJson,
            List<String> classNames,
            Configuration conf,
            ExtractCounters counters) {
        this(settings, metadataJson, classNames, conf, counters, TestHooks.NONE);
    }

    ShardExtractor(
            ExtractSettings settings,
            String metadataJson,
            List<String> classNames,
            Configuration conf,
            ExtractCounters counters,
            TestHooks hooks) {
        this.settings = settings;
        this.metadataJson = metadataJson;
        this.metadata = FeatureMetadataJson.fromJson(metadataJson, settings.outputPath());
        this.classNames = classNames;
        this.conf = conf;
        this.counters = counters;
        this.hooks = hooks;
    }

    /** @param attempt unique per task attempt (temp file names) */
    public ShardResult run(Shard shard, String attempt) throws IOException {
        DatasetLayout layout = new DatasetLayout(settings.outputPath());
        var existing = ShardAttempt.committed(layout, shard.id(), conf);
        if (existing.isPresent()) {
            return ShardResult.committed(existing.get(), true);
        }
        ShardAttempt out = new ShardAttempt(layout, shard.id(), attempt, conf);
        ViewTeacher runner = viewTeacher();
        MessageType schema = FeatureSchema.features(metadata);

        ShardTimings timings = new ShardTimings();
        long images = 0;
        long rows = 0;
        long rejects = 0;
        KeyDigests keys = new KeyDigests();
        try (ParquetWriter<Group> data = out.openData(schema, metadata, metadataJson, conf);
                ShardAttempt.RejectWriter rejectsOut = out.openRejects(metadataJson, conf);
                ShardReader reader = ShardReader.open(shard, settings.input(), classNames, conf)) {
            CaptionColumns captions = CaptionColumns.of(settings, metadata, conf);
            RowWriter rowWriter = new RowWriter(data, schema, shard.id(), captions);
            ViewSampler sampler = settings.views().sampler(runner.imageSize());
            SampleScreen screen = new SampleScreen(shard.id(), classNames);
            List<PendingView> pending = new ArrayList<>();
            long t = System.nanoTime();
            while (reader.hasNext()) {
                RawSample sample = reader.next();
                t = timings.add(Phase.READ, t);
                images++;
                SampleScreen.Verdict verdict = captions == null ? screen.check(sample) : screen.checkText(sample);
                if (verdict != null) {
                    rejects++;
                    counters.rejected();
                    rejectsOut.write(
                            sample.key(), sample.imageName(), verdict.problem().id(), verdict.message());
                    continue;
                }
                RgbImage image;
                try {
                    image = ImageDecoder.decode(sample.image(), sample.imageName(), settings.decode());
                    t = timings.add(Phase.DECODE, t);
                } catch (ImageRejectedException e) {
                    rejects++;
                    counters.rejected();
                    rejectsOut.write(
                            sample.key(),
                            sample.imageName(),
                            e.reason().name().toLowerCase(java.util.Locale.ROOT),
                            e.getMessage());
                    t = timings.add(Phase.DECODE, t);
                    continue;
                }
                keys.add(sample.key());
                CaptionInput caption = captions == null ? null : captions.encode(sample);
                for (int v = 0; v <= settings.views().random(); v++) {
                    ViewSpec view = v == 0
                            ? sampler.evalView(image.width(), image.height())
                            : sampler.randomView(settings.seed(), sample.key(), v, image.width(), image.height());
                    RgbImage rendered = ViewRenderer.render(image, view, runner.imageSize());
                    pending.add(new PendingView(
                            sample, image.width(), image.height(), view, rendered, v == 0 ? caption : null));
                    t = timings.add(Phase.VIEWS, t);
                    if (pending.size() == settings.batchSize()) {
                        BatchTensors outputs = runner.run(pending);
                        t = timings.add(Phase.TEACHER, t);
                        CaptionColumns.Batch captionBatch = captions == null ? null : captions.run(pending);
                        t = timings.add(Phase.CAPTIONS, t);
                        rows += rowWriter.write(pending, outputs, captionBatch);
                        t = timings.add(Phase.WRITE, t);
                        pending.clear();
                        hooks.afterBatch(shard.id(), rows);
                    }
                }
                counters.imageDone();
            }
            if (!pending.isEmpty()) {
                BatchTensors outputs = runner.run(pending);
                t = timings.add(Phase.TEACHER, t);
                CaptionColumns.Batch captionBatch = captions == null ? null : captions.run(pending);
                t = timings.add(Phase.CAPTIONS, t);
                rows += rowWriter.write(pending, outputs, captionBatch);
                timings.add(Phase.WRITE, t);
            }
        } catch (ShardCorruptException | OutputGuard.NonFiniteOutputException e) {
            return out.fail(e.getMessage());
        } catch (IOException e) {
            throw out.writeFailure(e);
        }
        ShardCommit committed = out.commit(images, rows, rejects, keys);
        double seconds = out.seconds();
        LOG.info(
                "shard {}: {} images, {} rows, {} rejects in {} s ({})",
                shard.id(),
                images,
                rows,
                rejects,
                String.format(java.util.Locale.ROOT, "%.1f", seconds),
                timings);
        return ShardResult.committed(committed, false);
    }

    /** The executor's image teacher (loaded once per JVM), as the kind of teacher the settings name. */
    private ViewTeacher viewTeacher() {
        if (settings.teacher().kind() == TeacherKind.OPEN_CLIP) {
            return new ClipViewTeacher(ClipTeacher.get(settings, conf));
        }
        EncoderPool teachers = ExecutorModelCache.get(
                settings.teacher().model(),
                settings.teacher().checkpoint(),
                settings.teacher().copies(),
                conf);
        TargetRecipe recipe = settings.target().recipe(teachers.config().depth());
        return new TeacherRunner(
                teachers, recipe, settings.store(), settings.target().dtype());
    }

    /** Turns views + teacher outputs into Parquet rows. */
    private final class RowWriter {
        private final ParquetWriter<Group> out;
        private final SimpleGroupFactory groups;
        private final String shardId;
        private final CaptionColumns captions;

        RowWriter(ParquetWriter<Group> out, MessageType schema, String shardId, CaptionColumns captions) {
            this.out = out;
            this.groups = new SimpleGroupFactory(schema);
            this.shardId = shardId;
            this.captions = captions;
        }

        /** @param captionBatch the caption teacher's outputs for {@code views}' captions; null without one */
        long write(List<PendingView> views, BatchTensors tensors, CaptionColumns.Batch captionBatch)
                throws IOException {
            TensorDType dtype = settings.target().dtype();
            int nextCaption = 0;
            for (int i = 0; i < views.size(); i++) {
                PendingView pv = views.get(i);
                RawSample s = pv.sample();
                ViewSpec v = pv.view();
                Group g = groups.newGroup()
                        .append(FeatureColumns.KEY, s.key())
                        .append(FeatureColumns.SHARD, shardId)
                        .append(FeatureColumns.VIEW, v.index());
                if (s.label() != null) {
                    g.append(FeatureColumns.LABEL, s.label());
                }
                if (s.caption() != null) {
                    g.append(FeatureColumns.CAPTION, s.caption());
                }
                g.append(FeatureColumns.SRC_WIDTH, pv.srcWidth())
                        .append(FeatureColumns.SRC_HEIGHT, pv.srcHeight())
                        .append(FeatureColumns.CROP_X, v.x())
                        .append(FeatureColumns.CROP_Y, v.y())
                        .append(FeatureColumns.CROP_W, v.width())
                        .append(FeatureColumns.CROP_H, v.height())
                        .append(FeatureColumns.FLIP, v.flip());
                for (FeatureMetadata.TensorColumn column : metadata.tensorColumns()) {
                    if (column.name().equals(FeatureColumns.PIXELS)) {
                        g.append(
                                FeatureColumns.PIXELS,
                                Binary.fromConstantByteArray(pv.pixels().toRgbBytes()));
                        continue;
                    }
                    if (column.dtype().equals(TensorPacking.INT32)) {
                        int[] ints = tensors.ints().get(column.name());
                        int length = ints.length / views.size();
                        g.append(
                                column.name(),
                                Binary.fromConstantByteArray(TensorPacking.packInts(ints, i * length, length)));
                        continue;
                    }
                    float[] flat = tensors.floats().get(column.name());
                    int length = flat.length / views.size();
                    OutputGuard.check(shardId, pv, column.name(), flat, i * length, length, dtype);
                    g.append(
                            column.name(),
                            Binary.fromConstantByteArray(TensorPacking.pack(flat, i * length, length, dtype)));
                }
                if (pv.caption() != null) {
                    captions.append(g, captionBatch, nextCaption++, shardId, s.key());
                }
                out.write(g);
            }
            return views.size();
        }
    }
}
