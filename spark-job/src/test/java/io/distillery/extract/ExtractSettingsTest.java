package io.distillery.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.config.JobConfigLoader;
import io.distillery.dataset.ViewSettings;
import io.distillery.features.TensorDType;
import io.distillery.image.DecodeLimits;
import io.distillery.model.EncoderPool;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading and validating the distillery.extract section: every refusal names its key. */
class ExtractSettingsTest {
    private static ExtractSettings settings(String... extra) {
        List<String> o = TestInputs.overrides(Path.of("/in"), "image-folder", Path.of("/out"), extra);
        return ExtractSettings.from(JobConfigLoader.load(null, o, "distillery.extract"));
    }

    @Test
    void teacherCopiesDefaultToOnePerRunningTask() {
        assertThat(settings().teacher().copies()).isEqualTo(EncoderPool.ONE_PER_THREAD);
        assertThat(settings("teacher.copies=1").teacher().copies()).isEqualTo(1);
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> settings("teacher.copies=-1"))
                .hasMessageContaining("distillery.extract.teacher.copies must be >= 0");
        assertThatThrownBy(() -> settings("batch-size=0")).hasMessageContaining("distillery.extract.batch-size");
        assertThatThrownBy(() -> settings("target.top-k=zero")).hasMessageContaining("distillery.extract.target.top-k");
        assertThatThrownBy(() -> settings("views.scale=[0.5, 0.1]"))
                .hasMessageContaining("distillery.extract.views.scale");
        assertThatThrownBy(() -> settings("teacher.copies=many")).hasMessageContaining("teacher.copies");
    }

    @Test
    void settingsThatWouldFailInsideTasksAreRefusedOnTheDriver() {
        assertThatThrownBy(() -> settings("decode.max-pixels=-5"))
                .hasMessage("distillery.extract.decode.max-pixels must be >= 1, got -5");
        assertThatThrownBy(() -> settings("decode.max-side=0"))
                .hasMessage("distillery.extract.decode.max-side must be >= 1, got 0");
        assertThatThrownBy(() -> settings("target.eps=-1e-5"))
                .hasMessage("distillery.extract.target.eps must be a finite number > 0, got -1.0E-5");
        assertThatThrownBy(() -> settings("target.eps=0"))
                .hasMessageStartingWith("distillery.extract.target.eps must be a finite number > 0");
        assertThatThrownBy(() -> settings("spark.master=\"bogus://x\""))
                .hasMessage("distillery.extract.spark.master 'bogus://x' is not a Spark master URL (local, local[N], "
                        + "local[*], local-cluster[N,C,M], spark://host:port, yarn, k8s://..., mesos://...)");
        assertThat(settings("spark.master=\"local[*]\"").sparkMaster()).isEqualTo("local[*]");
        assertThat(settings("spark.master=\"spark://10.0.0.1:7077\"").sparkMaster())
                .isEqualTo("spark://10.0.0.1:7077");
    }

    @Test
    void eachGroupIsReadFromItsKeys() {
        ExtractSettings s = settings(
                "views.random=3",
                "views.scale=[0.2, 0.9]",
                "views.ratio=[0.5, 2.0]",
                "views.hflip=false",
                "decode.max-side=512",
                "store.layers=[2, 4]",
                "store.cls=true",
                "store.logits=true",
                "store.logits-top-k=5",
                "store.attention=[1, 3]",
                "target.dtype=bf16",
                "target.top-k=3",
                "teacher.copies=2");
        assertThat(s.views()).isEqualTo(new ViewSettings(3, 0.9, 0.2, 0.9, 0.5, 2.0, false));
        assertThat(s.decode()).isEqualTo(new DecodeLimits(100_000_000L, 512));
        assertThat(s.store())
                .isEqualTo(new ExtractSettings.Store(true, List.of(2, 4), true, false, true, 5, List.of(1, 3)));
        assertThat(s.store().attentionBlocks()).containsExactlyInAnyOrder(0, 2);
        assertThat(s.target())
                .isEqualTo(
                        new ExtractSettings.Target(TargetTensor.FFN, TargetTokens.PATCHES, 3, 1e-5, TensorDType.BF16));
        assertThat(s.target().recipe(12).topK()).isEqualTo(3);
        assertThat(s.teacher().copies()).isEqualTo(2);
        assertThatThrownBy(() -> settings("target.top-k=13").target().recipe(12))
                .hasMessage("distillery.extract.target.top-k 13 exceeds the teacher's depth 12");
    }

    @Test
    void viewsEveryTaskWouldRefuseAreRefusedOnTheDriverNamingTheKey() {
        assertThatThrownBy(() -> settings("views.random=-1"))
                .hasMessage("distillery.extract.views.random must be >= 0, got -1");
        assertThatThrownBy(() -> settings("views.eval-crop-pct=1.5"))
                .hasMessage("distillery.extract.views.eval-crop-pct must be within (0, 1], got 1.5");
        assertThatThrownBy(() -> settings("views.scale=[0.5, 2]"))
                .hasMessage(
                        "distillery.extract.views.scale must be [min, max] with 0 < min <= max <= 1, got [0.5, 2.0]");
        assertThatThrownBy(() -> settings("store.layers=[0]"))
                .hasMessage("distillery.extract.store.layers are 1-based block numbers, got 0");
        assertThatThrownBy(() -> settings("store.attention=[0]"))
                .hasMessage("distillery.extract.store.attention holds 1-based block numbers, got 0");
        assertThatThrownBy(() -> settings("store.attention=[2, 2]"))
                .hasMessage("distillery.extract.store.attention names a block twice: [2, 2]");
        assertThatThrownBy(() -> settings("store.logits-top-k=5"))
                .hasMessage("distillery.extract.store.logits-top-k = 5 needs distillery.extract.store.logits = true");
    }

    @Test
    void anUnreachableFilesystemIsReportedWithItsKey() {
        ExtractSettings s = settings("teacher.checkpoint=hdfs://no-such-namenode.invalid:8020/m.safetensors");
        assertThatThrownBy(() -> s.withQualifiedPaths(new org.apache.hadoop.conf.Configuration()))
                .hasMessageStartingWith(
                        "distillery.extract.teacher.checkpoint hdfs://no-such-namenode.invalid:8020/m.safetensors")
                .hasMessageContaining("cannot reach its filesystem");
    }

    @Test
    void textSettingsAreReadAndCheckedNamingTheKey() {
        ExtractSettings text = settings(
                "input.modality=text",
                "input.format=text-lines",
                "input.line-labels=true",
                "teacher.model=bert-base-uncased",
                "text.tokenizer=/models/vocab.txt",
                "text.max-length=64",
                "text.layer-norm-targets=false");
        assertThat(text.input().modality()).isEqualTo(io.distillery.shards.Modality.TEXT);
        assertThat(text.input().lineLabels()).isTrue();
        assertThat(text.text().maxLength()).isEqualTo(64);
        assertThat(text.text().layerNormTargets()).isFalse();
        assertThat(text.text().tokenizerJson()).isFalse();
        var qualified = text.withQualifiedPaths(new org.apache.hadoop.conf.Configuration());
        assertThat(qualified.teacher().model())
                .as("a BERT preset is not a path")
                .isEqualTo("bert-base-uncased");
        assertThat(qualified.text().tokenizer()).isEqualTo("file:/models/vocab.txt");
        assertThat(settings().input().modality()).isEqualTo(io.distillery.shards.Modality.IMAGE);

        assertThatThrownBy(() -> settings("input.modality=text", "input.format=text-lines"))
                .hasMessageContaining("distillery.extract.text.tokenizer must name a vocab.txt or tokenizer.json");
        assertThatThrownBy(() -> settings(
                        "input.modality=text",
                        "input.format=text-lines",
                        "text.tokenizer=/t.json",
                        "text.max-length=1"))
                .hasMessageContaining("distillery.extract.text.max-length must be >= 2");
        assertThatThrownBy(() -> settings("input.modality=audio")).hasMessageContaining("input.modality must be");
    }
}
