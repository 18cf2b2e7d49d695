package io.distillery.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.config.JobConfigLoader;
import io.distillery.features.FeatureMetadata;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import io.distillery.npy.ParityFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How top-k logits and attention columns are described, and the refusals that name the key and the teacher. */
class LogitAndAttentionColumnsTest {
    @TempDir
    Path dir;

    private FeatureMetadata describe(int classes, String... extra) throws Exception {
        List<String> o = new ArrayList<>(TestInputs.overrides(Path.of("/in"), "image-folder", Path.of("/out")));
        List<String> teacherKeys =
                classes > 0 ? TestInputs.classifierTeacher(dir.resolve("teacher"), classes) : List.of();
        o.addAll(teacherKeys);
        o.addAll(List.of(extra));
        ExtractSettings s = ExtractSettings.from(JobConfigLoader.load(null, o, "distillery.extract"));
        ModelConfig teacher = ModelConfigs.resolve(
                classes > 0
                        ? dir.resolve("teacher/config.json").toString()
                        : ParityFiles.root()
                                .resolve("teacher_beitv2/config.json")
                                .toString());
        return FeatureMetadataFactory.create(s, teacher, "0".repeat(64), List.of(), "3.5.9", null);
    }

    @Test
    void topKWritesIndexValueAndRestColumnsAndRecordsK() throws Exception {
        FeatureMetadata md =
                describe(7, "store.logits=true", "store.logits-top-k=3", "store.attention=[4, 1]", "target.dtype=bf16");
        assertThat(md.logits())
                .isEqualTo(new FeatureMetadata.Logits(
                        7, 3, List.of("logits_topk_index", "logits_topk_value", "logits_topk_rest")));
        assertThat(md.column("logits_topk_index").dtype()).isEqualTo("int32");
        assertThat(md.column("logits_topk_index").shape()).containsExactly(3L);
        assertThat(md.column("logits_topk_value").dtype()).isEqualTo("bf16");
        assertThat(md.column("logits_topk_rest").shape()).containsExactly(1L);
        assertThat(md.tensorColumns()).noneMatch(c -> c.name().equals("logits"));
        // parity teacher: 4 heads, 16 patches + CLS
        assertThat(md.column("attention_04").shape()).containsExactly(4L, 17L, 17L);
        assertThat(md.column("attention_01").dtype()).isEqualTo("bf16");
        assertThat(md.column("attention_01").description()).contains("relative position bias");

        FeatureMetadata full = describe(7, "store.logits=true");
        assertThat(full.logits()).isEqualTo(new FeatureMetadata.Logits(7, 0, List.of("logits")));
        assertThat(full.column("logits").shape()).containsExactly(7L);
        assertThat(describe(0).logits()).isNull();
    }

    @Test
    void aKOutsideTheTeachersClassesIsRefusedNamingKeyAndClassCount() {
        for (String k : new String[] {"7", "12", "-1"}) {
            assertThatThrownBy(() -> describe(7, "store.logits=true", "store.logits-top-k=" + k))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("distillery.extract.store.logits-top-k must be within 1..6 (or 0 = all) for this"
                            + " teacher's 7 classes, got " + k);
        }
        assertThatThrownBy(() -> describe(0, "store.logits=true", "store.logits-top-k=3"))
                .hasMessage("distillery.extract.store.logits: the teacher has num_classes = 0");
        assertThatThrownBy(() -> describe(7, "store.logits-top-k=3"))
                .hasMessage("distillery.extract.store.logits-top-k = 3 needs distillery.extract.store.logits = true");
    }

    @Test
    void attentionBeyondTheTeachersDepthIsRefused() {
        assertThatThrownBy(() -> describe(0, "store.attention=[2, 5]"))
                .hasMessage("distillery.extract.store.attention: block 5 exceeds the teacher's depth 4");
    }
}
