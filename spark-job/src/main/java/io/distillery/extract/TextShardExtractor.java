package io.distillery.extract;

import io.distillery.dataset.DatasetLayout;
import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.FeatureMetadataJson;
import io.distillery.features.TensorDType;
import io.distillery.shards.RawSample;
import io.distillery.shards.Shard;
import io.distillery.shards.ShardCorruptException;
import io.distillery.shards.ShardReader;
import io.distillery.targets.TextTargetRecipe;
import io.distillery.text.Encoding;
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
 * The executor side of a text extract for one shard: read texts (or reject them), tokenize to {@code max-length},
 * run the BERT teacher in batches, write one row per text and the rejects through a {@link ShardAttempt}, then
 * commit exactly as the image job does, so resume, retries and duplicate checks are shared.
 */
final class TextShardExtractor {
    private static final Logger LOG = LoggerFactory.getLogger(TextShardExtractor.class);

    private final ExtractSettings settings;
    private final FeatureMetadata metadata;
    private final String metadataJson;
    private final Configuration conf;
    private final ExtractCounters counters;
    private final TestHooks hooks;

    TextShardExtractor(
            ExtractSettings settings,
            String metadataJson,
            Configuration conf,
            ExtractCounters counters,
            TestHooks hooks) {
        this.settings = settings;
        this.metadataJson = metadataJson;
        this.metadata = FeatureMetadataJson.fromJson(metadataJson, settings.outputPath());
        this.conf = conf;
        this.counters = counters;
        this.hooks = hooks;
    }

    /** @param attempt unique per task attempt (temp file names) */
    ShardResult run(Shard shard, String attempt) throws IOException {
        DatasetLayout layout = new DatasetLayout(settings.outputPath());
        var existing = ShardAttempt.committed(layout, shard.id(), conf);
        if (existing.isPresent()) {
            return ShardResult.committed(existing.get(), true);
        }
        ShardAttempt out = new ShardAttempt(layout, shard.id(), attempt, conf);
        TextTeacher teacher = TextTeacher.get(settings, conf);
        TextTargetRecipe recipe = new TextTargetRecipe(
                settings.target().tensor(),
                metadata.target().topK(),
                settings.target().eps(),
                settings.text().layerNormTargets());
        MessageType schema = FeatureSchema.textFeatures(metadata);
        long texts = 0;
        long rows = 0;
        long rejects = 0;
        KeyDigests keys = new KeyDigests();
        try (ParquetWriter<Group> data = out.openData(schema, metadata, metadataJson, conf);
                ShardAttempt.RejectWriter rejectsOut = out.openRejects(metadataJson, conf);
                ShardReader reader = ShardReader.open(shard, settings.input(), List.of(), conf)) {
            TextTeacherRunner runner = new TextTeacherRunner(teacher, recipe, settings.store());
            SimpleGroupFactory rowGroups = new SimpleGroupFactory(schema);
            SampleScreen screen = new SampleScreen(shard.id(), List.of());
            List<RawSample> pending = new ArrayList<>();
            List<Encoding> encodings = new ArrayList<>();
            while (reader.hasNext()) {
                RawSample sample = reader.next();
                texts++;
                SampleScreen.Verdict verdict = screen.checkText(sample);
                if (verdict != null) {
                    rejects++;
                    counters.rejected();
                    rejectsOut.write(
                            sample.key(), sample.imageName(), verdict.problem().id(), verdict.message());
                    continue;
                }
                keys.add(sample.key());
                pending.add(sample);
                encodings.add(teacher.tokenizer()
                        .encode(sample.caption(), settings.text().maxLength()));
                if (pending.size() == settings.batchSize()) {
                    rows += write(data, rowGroups, shard.id(), pending, runner.run(encodings));
                    pending.clear();
                    encodings.clear();
                    hooks.afterBatch(shard.id(), rows);
                }
                counters.imageDone();
            }
            if (!pending.isEmpty()) {
                rows += write(data, rowGroups, shard.id(), pending, runner.run(encodings));
            }
        } catch (ShardCorruptException | OutputGuard.NonFiniteOutputException e) {
            return out.fail(e.getMessage());
        } catch (IOException e) {
            throw out.writeFailure(e);
        }
        ShardCommit committed = out.commit(texts, rows, rejects, keys);
        double seconds = out.seconds();
        LOG.info(
                "shard {}: {} texts, {} rows, {} rejects in {} s",
                shard.id(),
                texts,
                rows,
                rejects,
                String.format(java.util.Locale.ROOT, "%.1f", seconds));
        return ShardResult.committed(committed, false);
    }

    /** One row per text: key, shard, label, text, then the packed columns in the metadata's order. */
    private long write(
            ParquetWriter<Group> out,
            SimpleGroupFactory groups,
            String shardId,
            List<RawSample> samples,
            BatchTensors tensors)
            throws IOException {
        TensorDType dtype = settings.target().dtype();
        int n = samples.size();
        for (int i = 0; i < n; i++) {
            RawSample s = samples.get(i);
            Group g = groups.newGroup().append(FeatureColumns.KEY, s.key()).append(FeatureColumns.SHARD, shardId);
            if (s.label() != null) {
                g.append(FeatureColumns.LABEL, s.label());
            }
            g.append(FeatureColumns.TEXT, s.caption());
            for (FeatureMetadata.TensorColumn column : metadata.tensorColumns()) {
                byte[] cell =
                        TextCells.cell(column, tensors, column.name(), i, n, shardId, "key '" + s.key() + "'", dtype);
                g.append(column.name(), Binary.fromConstantByteArray(cell));
            }
            out.write(g);
        }
        return n;
    }
}
