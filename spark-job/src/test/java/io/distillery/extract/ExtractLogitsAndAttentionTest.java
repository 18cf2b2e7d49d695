package io.distillery.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.distillery.config.JobConfigLoader;
import io.distillery.dataset.FeatureDataset;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import io.distillery.features.TopKLogits;
import io.distillery.model.Encoder;
import io.distillery.model.EncoderActivations;
import io.distillery.model.EncoderLoader;
import io.distillery.model.ModelConfigs;
import io.distillery.npy.ParityFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Top-k logits and attention columns end to end: the same views extracted with all logits and with top-3 agree,
 * and the stored attention is the teacher's for the view.
 */
class ExtractLogitsAndAttentionTest {
    private static final SparkSession SPARK = SparkTestSession.get();
    private static final int CLASSES = 7;

    private static List<Row> extract(Path input, Path out, List<String> teacher, String... extra) throws Exception {
        List<String> o = new ArrayList<>(TestInputs.overrides(
                input, "image-folder", out, "views.eval-crop-pct=1.0", "views.random=1", "store.pixels=false"));
        o.addAll(teacher);
        o.addAll(List.of(extra));
        ExtractSummary summary =
                ExtractJob.run(SPARK, ExtractSettings.from(JobConfigLoader.load(null, o, "distillery.extract")));
        assertThat(summary.ok()).as(summary.toString()).isTrue();
        return FeatureDataset.open(SPARK, out.toString(), false)
                .rows()
                .orderBy("key", "view")
                .collectAsList();
    }

    @Test
    void topThreeAreTheTopThreeOfTheFullLogitsAndAttentionIsTheTeachers(@TempDir Path dir) throws Exception {
        Path input = TestInputs.parityImageFolder(dir.resolve("in"));
        List<String> teacher = TestInputs.classifierTeacher(dir.resolve("teacher"), CLASSES);
        List<Row> full = extract(input, dir.resolve("full"), teacher, "store.logits=true");
        List<Row> topK = extract(
                input,
                dir.resolve("top3"),
                teacher,
                "store.logits=true",
                "store.logits-top-k=3",
                "store.attention=[1]");
        assertThat(topK).hasSize(12).hasSameSizeAs(full);

        FeatureMetadata md = FeatureDataset.open(SPARK, dir.resolve("top3").toString(), false)
                .metadata();
        assertThat(md.storedLogits())
                .contains(new FeatureMetadata.Logits(
                        CLASSES, 3, List.of("logits_topk_index", "logits_topk_value", "logits_topk_rest")));
        assertThat(topK.get(0).schema().fieldNames()).doesNotContain("logits");

        for (int r = 0; r < full.size(); r++) {
            Row a = full.get(r);
            Row b = topK.get(r);
            assertThat(b.<String>getAs("key")).isEqualTo(a.getAs("key"));
            assertThat(b.<Integer>getAs("view")).isEqualTo(a.getAs("view"));
            float[] logits = TensorPacking.unpack(a.getAs("logits"), TensorDType.FP16);
            Integer[] order = new Integer[CLASSES];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, (x, y) -> logits[x] != logits[y] ? Float.compare(logits[y], logits[x]) : x - y);

            int[] index = TensorPacking.unpackInts(b.getAs("logits_topk_index"));
            float[] value = TensorPacking.unpack(b.getAs("logits_topk_value"), TensorDType.FP16);
            float[] rest = TensorPacking.unpack(b.getAs("logits_topk_rest"), TensorDType.FP16);
            String row = a.getAs("key") + " view " + a.getAs("view");
            assertThat(index).as(row).containsExactly(order[0], order[1], order[2]);
            assertThat(value).as(row).containsExactly(logits[order[0]], logits[order[1]], logits[order[2]]);
            double others = 0;
            for (int i = 3; i < CLASSES; i++) {
                others += Math.exp(logits[order[i]]);
            }
            assertThat((double) rest[0]).as(row).isCloseTo(Math.log(others), within(1e-2));

            // at T = 1 the rebuilt distribution keeps the full softmax's top three
            double[] q = TopKLogits.distribution(
                    b.getAs("logits_topk_index"),
                    b.getAs("logits_topk_value"),
                    b.getAs("logits_topk_rest"),
                    TensorDType.FP16,
                    CLASSES,
                    1.0);
            double z = 0;
            for (float l : logits) {
                z += Math.exp(l);
            }
            for (int i = 0; i < 3; i++) {
                assertThat(q[order[i]]).as(row).isCloseTo(Math.exp(logits[order[i]]) / z, within(2e-3));
            }
            assertThat(Arrays.stream(q).sum()).isCloseTo(1.0, within(1e-9));
        }

        // eval views of the 32x32 parity images at crop 1.0 are the fixture's own input: compare with the teacher
        Encoder encoder = EncoderLoader.load(
                ModelConfigs.resolve(dir.resolve("teacher/config.json").toString()),
                dir.resolve("teacher/weights.safetensors"));
        INDArray expected;
        try (EncoderActivations acts = encoder.forward(ParityFiles.array("input"), Set.of(0))) {
            expected = acts.attention().get(0).dup('c');
        }
        assertThat(md.column("attention_01").shape()).containsExactly(4L, 17L, 17L);
        for (Row row : topK) {
            float[] p = TensorPacking.unpack(row.getAs("attention_01"), TensorDType.FP16);
            assertThat(p).hasSize(4 * 17 * 17);
            for (int i = 0; i < 4 * 17; i++) {
                double sum = 0;
                for (int k = 0; k < 17; k++) {
                    sum += p[i * 17 + k];
                }
                assertThat(sum).isCloseTo(1.0, within(5e-3));
            }
            if (row.<Integer>getAs("view") == 0) {
                String key = row.getAs("key");
                float[] want = expected.slice(Integer.parseInt(key.substring(key.length() - 1)))
                        .dup('c')
                        .data()
                        .asFloat();
                for (int i = 0; i < want.length; i++) {
                    assertThat(p[i]).as("%s element %d", key, i).isCloseTo(want[i], within(1e-3f));
                }
            }
        }
    }
}
