package io.distillery.extract;

import io.distillery.dataset.DatasetLayout;
import io.distillery.features.DatasetStatus;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.FeatureMetadataJson;
import io.distillery.locks.WriterLock;
import io.distillery.model.ModelConfig;
import io.distillery.model.bert.BertConfig;
import io.distillery.provenance.Sha256;
import io.distillery.shards.Modality;
import io.distillery.shards.Shard;
import io.distillery.shards.ShardLister;
import io.distillery.shards.ShardPlan;
import io.distillery.spark.AtomicHadoopFiles;
import io.distillery.spark.ModelFiles;
import io.distillery.text.WordPieceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver of {@code distillery extract}: lists shards, writes the dataset description, runs one task per
 * remaining shard, and marks the dataset complete when every shard is committed and rejects stay within bounds.
 */
public final class ExtractJob {
    /** Spark local property, tests only ({@link TestHooks}): crash the first attempt of every shard after N rows. */
    public static final String CRASH_AFTER_ROWS = "distillery.testing.crashFirstAttemptAfterRows";
    /** Spark local property, tests only ({@link TestHooks}): sleep this many milliseconds after every teacher batch. */
    public static final String BATCH_DELAY_MILLIS = "distillery.testing.batchDelayMillis";

    private static final Logger LOG = LoggerFactory.getLogger(ExtractJob.class);
    private static final String SECTION_TEXT = ExtractSettings.SECTION + ".text.";

    private ExtractJob() {}

    /**
     * Runs the job. Everything it writes is written holding the output's writer lock
     * ({@code _distillery/writer.lock}): a second run on the same output is refused at once, naming the owner. A
     * rerun of a complete dataset takes no lock: it writes nothing at all.
     */
    public static ExtractSummary run(SparkSession spark, ExtractSettings settings) throws IOException {
        ExtractSettings s = settings.withQualifiedPaths(spark.sparkContext().hadoopConfiguration());
        refuseOutputInsideInput(s);
        return runPlanned(spark, s);
    }

    /** An output inside the input would be read as input by the next run (a new class, stray tars). */
    private static void refuseOutputInsideInput(ExtractSettings s) {
        String in =
                s.input().path().endsWith("/") ? s.input().path() : s.input().path() + "/";
        String out = s.outputPath().endsWith("/") ? s.outputPath() : s.outputPath() + "/";
        if (out.startsWith(in) || in.equals(out)) {
            throw new IllegalArgumentException("output.path " + s.outputPath() + " is inside input.path "
                    + s.input().path() + "; a rerun would read the dataset as input: choose an output elsewhere");
        }
    }

    private static ExtractSummary runPlanned(SparkSession spark, ExtractSettings settings) throws IOException {
        long start = System.nanoTime();
        SparkContext sc = spark.sparkContext();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
        Configuration conf = sc.hadoopConfiguration();
        ExtractSettings s = settings.withQualifiedPaths(conf); // executors do not share the driver's working dir

        jsc.setJobGroup("distillery-extract-plan", "extract: list shards and describe the dataset", false);
        ShardPlan plan = ShardLister.list(s.input(), conf);
        FeatureMetadata metadata = s.input().modality() == Modality.TEXT
                ? textMetadata(s, plan, conf, sc.version())
                : imageMetadata(s, plan, conf, sc.version());

        DatasetLayout layout = new DatasetLayout(s.outputPath());
        DatasetStatusStore store = new DatasetStatusStore(layout, conf);
        DatasetStatus existing = store.existing(metadata);

        ShardCommitter committer = new ShardCommitter(layout, conf);
        List<ShardResult> results = new ArrayList<>();
        List<Shard> remaining = new ArrayList<>();
        for (Shard shard : plan.shards()) {
            var record = existing == null ? java.util.Optional.<ShardCommit>empty() : committer.validRecord(shard.id());
            if (record.isPresent()) {
                results.add(ShardResult.committed(record.get(), true));
            } else {
                remaining.add(shard);
            }
        }
        LOG.info(
                "{} of {} shards already complete; {} to run (planned in {} s)",
                results.size(),
                plan.shards().size(),
                remaining.size(),
                String.format(java.util.Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e9));
        if (existing != null && existing.complete() && remaining.isEmpty()) {
            ExtractSummary summary = summarize(s, plan, results, (System.nanoTime() - start) / 1e9);
            if (summary.ok()) {
                // a rerun of a finished job: nothing to do, and nothing is written (the dataset stays byte-identical)
                LOG.info(
                        "feature dataset {} is already complete; nothing to do. extract summary: {}",
                        s.outputPath(),
                        summary);
                return summary;
            }
        }
        // existing() above refused a folder that is not a dataset before the lock is written into it
        try (WriterLock lock = WriterLock.acquire(layout.writerLock(), s.outputPath(), "extract", conf)) {
            metadata = store.startOrResume(existing, metadata);
            String metadataJson = FeatureMetadataJson.toJson(metadata);

            if (!remaining.isEmpty()) {
                LongAccumulator images = sc.longAccumulator("distillery.images");
                LongAccumulator rejects = sc.longAccumulator("distillery.rejects");
                ExtractTask task = new ExtractTask(
                        s,
                        metadataJson,
                        plan.classNames(),
                        new ExtractCounters(images, rejects),
                        TestHooks.fromLocalProperties(sc));
                long estimated =
                        remaining.stream().mapToLong(Shard::estimatedSamples).sum();
                try (ExtractProgress progress = new ExtractProgress(images, estimated, s.progressIntervalMillis())) {
                    sc.addSparkListener(progress);
                    jsc.setJobGroup(
                            "distillery-extract-teacher",
                            "extract: teacher pass over " + remaining.size() + " shards -> " + s.outputPath(),
                            false);
                    long pass = System.nanoTime();
                    results.addAll(jsc.parallelize(remaining, remaining.size())
                            .map(task)
                            .collect());
                    sc.removeSparkListener(progress);
                    progress.log();
                    LOG.info(
                            "teacher pass over {} shards: {} s",
                            remaining.size(),
                            String.format(java.util.Locale.ROOT, "%.2f", (System.nanoTime() - pass) / 1e9));
                } finally {
                    jsc.clearJobGroup();
                }
            }
            ExtractSummary summary = summarize(s, plan, results, (System.nanoTime() - start) / 1e9);
            if (summary.ok()) {
                summary = withoutDuplicates(summary, results, committer, layout, conf);
            }
            if (summary.ok()) {
                store.complete(metadata, summary);
                cleanTmp(layout, conf);
            }
            LOG.info("extract summary: {}", summary);
            return summary;
        }
    }

    private static FeatureMetadata imageMetadata(
            ExtractSettings s, ShardPlan plan, Configuration conf, String sparkVersion) throws IOException {
        if (s.teacher().kind() == TeacherKind.OPEN_CLIP) {
            return clipMetadata(s, plan, conf, sparkVersion);
        }
        ModelConfig teacher = ModelFiles.config(s.teacher().model(), conf);
        String sha = Sha256.of(ModelFiles.localCopy(s.teacher().checkpoint(), conf));
        FeatureMetadata.Captions captions = s.captionTeacher() == null ? null : captions(s, conf);
        FeatureMetadata metadata =
                FeatureMetadataFactory.create(s, teacher, sha, plan.classNames(), sparkVersion, captions);
        LOG.info(
                "extract plan: {} shards, ~{} images, {} views each (~{} rows), teacher {} ({}), target {} top-{} {}, output {}",
                plan.shards().size(),
                plan.estimatedSamples(),
                s.views().random() + 1,
                plan.estimatedSamples() * (s.views().random() + 1),
                s.teacher().model(),
                teacher,
                metadata.target().tensor(),
                metadata.target().topK(),
                metadata.target().dtype(),
                s.outputPath());
        return metadata;
    }

    /**
     * The text dataset's description; the tokenizer is loaded here once, so a bad file fails the job on the driver
     * with one line instead of failing every task.
     */
    private static FeatureMetadata textMetadata(
            ExtractSettings s, ShardPlan plan, Configuration conf, String sparkVersion) throws IOException {
        BertConfig teacher = TextTeacher.config(s.teacher().model(), conf);
        java.nio.file.Path tokenizerFile = ModelFiles.localCopy(s.text().tokenizer(), conf);
        WordPieceTokenizer tokenizer = checkedTokenizer(s, tokenizerFile, teacher);
        String sha = Sha256.of(ModelFiles.localCopy(s.teacher().checkpoint(), conf));
        FeatureMetadata metadata = TextMetadataFactory.create(s, teacher, sha, Sha256.of(tokenizerFile), sparkVersion);
        LOG.info(
                "extract plan: {} shards, ~{} texts, teacher {} ({}), tokenizer {} ({} tokens, max-length {}), target {} top-{} {}, output {}",
                plan.shards().size(),
                plan.estimatedSamples(),
                s.teacher().model(),
                teacher,
                s.text().tokenizer(),
                tokenizer.vocabSize(),
                s.text().maxLength(),
                metadata.target().tensor(),
                metadata.target().topK(),
                metadata.target().dtype(),
                s.outputPath());
        return metadata;
    }

    /**
     * An open_clip teacher's dataset description; the teacher is loaded here once (and reused by the local
     * executor), so bad files or a tokenizer too large for its vocabulary fail the job on the driver.
     */
    private static FeatureMetadata clipMetadata(
            ExtractSettings s, ShardPlan plan, Configuration conf, String sparkVersion) throws IOException {
        ClipTeacher clip = ClipTeacher.get(s, conf);
        String sha = Sha256.of(ModelFiles.localCopy(s.teacher().checkpoint(), conf));
        String tokenizerSha = s.text().tokenizer() == null
                ? null
                : Sha256.of(ModelFiles.localCopy(s.text().tokenizer(), conf));
        FeatureMetadata metadata =
                ClipMetadataFactory.create(s, clip, sha, tokenizerSha, plan.classNames(), sparkVersion);
        LOG.info(
                "extract plan: {} shards, ~{} images, {} views each, open_clip teacher {} ({}; logit scale {}),"
                        + " context {}, output {}",
                plan.shards().size(),
                plan.estimatedSamples(),
                s.views().random() + 1,
                s.teacher().model(),
                clip.config(),
                clip.model().logitScale(),
                clip.contextLength(),
                s.outputPath());
        return metadata;
    }

    /** The caption teacher's part of an image dataset; like {@link #textMetadata}, checked here on the driver. */
    private static FeatureMetadata.Captions captions(ExtractSettings s, Configuration conf) throws IOException {
        BertConfig teacher = TextTeacher.config(s.captionTeacher().model(), conf);
        java.nio.file.Path tokenizerFile = ModelFiles.localCopy(s.text().tokenizer(), conf);
        checkedTokenizer(s, tokenizerFile, teacher);
        String sha = Sha256.of(ModelFiles.localCopy(s.captionTeacher().checkpoint(), conf));
        FeatureMetadata.Captions captions = TextMetadataFactory.captions(s, teacher, sha, Sha256.of(tokenizerFile));
        LOG.info(
                "caption teacher {} ({}), tokenizer {}, max-length {}, target {} top-{}",
                s.captionTeacher().model(),
                teacher,
                s.text().tokenizer(),
                s.text().maxLength(),
                captions.target().tensor(),
                captions.target().topK());
        return captions;
    }

    /** The tokenizer the text settings name, refused when it has ids the teacher has no embedding for. */
    private static WordPieceTokenizer checkedTokenizer(
            ExtractSettings s, java.nio.file.Path tokenizerFile, BertConfig teacher) {
        WordPieceTokenizer tokenizer = TextTeacher.tokenizer(s.text(), tokenizerFile);
        if (tokenizer.vocabSize() > teacher.vocabSize()) {
            throw new IllegalArgumentException(
                    SECTION_TEXT + "tokenizer " + s.text().tokenizer() + " has " + tokenizer.vocabSize()
                            + " tokens but the teacher's vocab_size is " + teacher.vocabSize());
        }
        return tokenizer;
    }

    /**
     * Keys must be unique within a dataset: a key committed by two shards keeps the dataset incomplete, and the later
     * shard is withdrawn (a rerun redoes it once its input no longer repeats the key).
     */
    private static ExtractSummary withoutDuplicates(
            ExtractSummary summary,
            List<ShardResult> results,
            ShardCommitter committer,
            DatasetLayout layout,
            Configuration conf)
            throws IOException {
        List<ShardCommit> records = new ArrayList<>();
        for (ShardResult r : results) {
            records.add(committer
                    .record(r.shard())
                    .orElseThrow(() -> new java.io.FileNotFoundException(
                            layout.commitRecord(r.shard()) + ": commit record vanished while the job ran")));
        }
        List<DuplicateKeys.Duplicate> duplicates =
                DuplicateKeys.find(records, shard -> ParquetFiles.keys(layout.dataFile(shard), conf));
        if (duplicates.isEmpty()) {
            return summary;
        }
        List<String> failures = new ArrayList<>();
        for (DuplicateKeys.Duplicate d : duplicates) {
            committer.withdraw(d.later());
            String line = "key '" + d.key() + "' is in shard " + d.first() + " and shard " + d.later()
                    + (d.count() > 1 ? " (" + d.count() + " keys shared by the two)" : "")
                    + "; keys must be unique within a dataset: shard " + d.later() + " was withdrawn, remove the "
                    + "repeated samples from its input and rerun";
            LOG.error(line);
            failures.add(line);
        }
        return new ExtractSummary(
                summary.shards(),
                summary.skipped(),
                summary.images(),
                summary.rows(),
                summary.rejects(),
                summary.dataBytes(),
                summary.seconds(),
                List.copyOf(failures),
                summary.rejectLimitExceeded(),
                summary.output());
    }

    private static ExtractSummary summarize(
            ExtractSettings s, ShardPlan plan, List<ShardResult> results, double seconds) {
        long images = 0;
        long rows = 0;
        long rejects = 0;
        long bytes = 0;
        int skipped = 0;
        List<String> failures = new ArrayList<>();
        for (ShardResult r : results) {
            if (!r.ok()) {
                failures.add(r.failure());
                continue;
            }
            images += r.images();
            rows += r.rows();
            rejects += r.rejects();
            bytes += r.dataBytes();
            skipped += r.skipped() ? 1 : 0;
        }
        boolean tooMany = images > 0 && (double) rejects / images > s.maxRejectFraction();
        return new ExtractSummary(
                plan.shards().size(),
                skipped,
                images,
                rows,
                rejects,
                bytes,
                seconds,
                List.copyOf(failures),
                tooMany,
                s.outputPath());
    }

    private static void cleanTmp(DatasetLayout layout, Configuration conf) throws IOException {
        FileSystem fs = layout.root().getFileSystem(conf);
        if (fs.exists(layout.tmpDir())) {
            fs.delete(layout.tmpDir(), true);
        }
    }

    /** Reads and writes {@code _distillery/dataset.json} (atomically, via a temp file and a rename). */
    static final class DatasetStatusStore {
        private final DatasetLayout layout;
        private final Configuration conf;

        DatasetStatusStore(DatasetLayout layout, Configuration conf) {
            this.layout = layout;
            this.conf = conf;
        }

        /**
         * The dataset already at the output path (null for none), after checking that it was made with the same
         * recipe; a folder that is not a feature dataset, or one made differently, is refused.
         */
        DatasetStatus existing(FeatureMetadata fresh) throws IOException {
            FileSystem fs = layout.root().getFileSystem(conf);
            Path json = layout.datasetJson();
            if (fs.exists(json)) {
                DatasetStatus existing = read(fs, json);
                String difference = RecipeComparison.firstDifference(existing.metadata(), fresh);
                if (difference != null) {
                    throw new IllegalArgumentException("output " + layout.root() + " already holds a feature dataset "
                            + "made differently (" + difference + "); use a new output path");
                }
                return existing;
            }
            refuseForeignFolder();
            return null;
        }

        /** A folder holding anything but a dataset (or only our own {@code _distillery/}) is never written into. */
        void refuseForeignFolder() throws IOException {
            FileSystem fs = layout.root().getFileSystem(conf);
            if (!fs.exists(layout.root()) || fs.exists(layout.datasetJson())) {
                return;
            }
            for (org.apache.hadoop.fs.FileStatus entry : fs.listStatus(layout.root())) {
                if (!entry.getPath().getName().equals(DatasetLayout.META)) {
                    throw new IllegalArgumentException("output " + layout.root() + " exists and is not a Distillery "
                            + "feature dataset; refusing to write into it");
                }
            }
        }

        /** Starts a new dataset, or resumes {@code existing} (keeping its original metadata); marks it in progress. */
        FeatureMetadata startOrResume(DatasetStatus existing, FeatureMetadata fresh) throws IOException {
            FileSystem fs = layout.root().getFileSystem(conf);
            if (existing != null) {
                LOG.info("resuming feature dataset {} (status {})", layout.root(), existing.status());
                write(
                        fs,
                        new DatasetStatus(
                                DatasetStatus.IN_PROGRESS,
                                existing.metadata(),
                                existing.shards(),
                                existing.images(),
                                existing.rows(),
                                existing.rejects(),
                                existing.dataBytes(),
                                now()));
                return existing.metadata();
            }
            write(fs, new DatasetStatus(DatasetStatus.IN_PROGRESS, fresh, 0, 0, 0, 0, 0, now()));
            return fresh;
        }

        void complete(FeatureMetadata metadata, ExtractSummary summary) throws IOException {
            write(
                    layout.root().getFileSystem(conf),
                    new DatasetStatus(
                            DatasetStatus.COMPLETE,
                            metadata,
                            summary.shards(),
                            summary.images(),
                            summary.rows(),
                            summary.rejects(),
                            summary.dataBytes(),
                            now()));
        }

        private DatasetStatus read(FileSystem fs, Path json) throws IOException {
            try (InputStream in = fs.open(json)) {
                return DatasetStatus.read(in, json.toString());
            }
        }

        private void write(FileSystem fs, DatasetStatus status) throws IOException {
            AtomicHadoopFiles.write(
                    fs,
                    layout.datasetJson(),
                    out -> FeatureMetadataJson.mapper().writeValue(out, status));
        }

        private static String now() {
            return Instant.now().toString();
        }
    }
}
