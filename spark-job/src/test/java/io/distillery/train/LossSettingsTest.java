package io.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.config.JobConfigLoader;
import io.distillery.objective.LossSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code distillery.train.losses}: the default keeps today's objective; every mistake names its key. */
class LossSettingsTest {
    private static final String SECTION = "distillery.train";

    private static LossSettings read(String... overrides) {
        return LossSettings.from(JobConfigLoader.load(null, List.of(overrides), SECTION), SECTION);
    }

    @Test
    void theDefaultIsD2vAloneAtWeightOne() {
        LossSettings s = read();
        assertThat(s.isDefault()).isTrue();
        assertThat(s.numClasses()).isZero();
        assertThat(s.losses())
                .containsExactly(new LossSpec("distillery.train.losses[0]", "d2v", 1.0, Map.of(), "target", 0));
        assertThat(read("losses=[{type=d2v, weight=2}]").isDefault()).isFalse();
    }

    @Test
    void entriesCarryTheirParametersAndColumns() {
        LossSettings s = read(
                "losses=[{type=kd, temperature=2}, {type=ce, weight=0.5}, {type=dkd, warmup=0},"
                        + " {type=cosine, teacher-column=cls}, {type=pkt, weight=3}, {type=hidden, student-block=2,"
                        + " teacher-layer=4}]",
                "student.num-classes=10");
        assertThat(s.numClasses()).isEqualTo(10);
        assertThat(s.losses())
                .extracting(LossSpec::type, LossSpec::weight, LossSpec::params, LossSpec::teacherColumn)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("kd", 1.0, Map.of("temperature", 2.0), "logits"),
                        org.assertj.core.groups.Tuple.tuple("ce", 0.5, Map.of(), null),
                        org.assertj.core.groups.Tuple.tuple("dkd", 1.0, Map.of("warmup", 0.0), "logits"),
                        org.assertj.core.groups.Tuple.tuple("cosine", 1.0, Map.of(), "cls"),
                        org.assertj.core.groups.Tuple.tuple("pkt", 3.0, Map.of(), "pooled"),
                        org.assertj.core.groups.Tuple.tuple("hidden", 1.0, Map.of(), "layer_04"));
        assertThat(s.losses().get(5).studentBlock()).isEqualTo(2);
        assertThat(s.describe()).isEqualTo("kd*1.0+ce*0.5+dkd*1.0+cosine*1.0+pkt*3.0+hidden*1.0");
    }

    @Test
    void anAttentionLossReadsTheStoredMapsOfItsTeacherLayer() {
        LossSpec spec = read("losses=[{type=attention, weight=0.5, student-block=3, teacher-layer=12}]")
                .losses()
                .get(0);
        assertThat(spec.teacherColumn()).isEqualTo("attention_12");
        assertThat(spec.studentBlock()).isEqualTo(3);
        assertThat(spec.weight()).isEqualTo(0.5);
        assertThatThrownBy(() -> read("losses=[{type=attention, student-block=1}]"))
                .hasMessage("distillery.train.losses[0].teacher-layer is required (a 1-based block number)");
        assertThatThrownBy(() -> read("losses=[{type=attention, student-block=1, teacher-layer=1, heads=2}]"))
                .hasMessageStartingWith("distillery.train.losses[0].heads: loss 'attention' has no parameter 'heads'");
    }

    @Test
    void theShippedTrainTemplatesHaveValidLosses() throws Exception {
        Path conf = Path.of(System.getProperty("distillery.root", "..")).resolve("conf");
        List<String> types = new ArrayList<>();
        try (Stream<Path> files = Files.list(conf)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("train-"))
                    .toList()) {
                var c = JobConfigLoader.load(file, List.of(), SECTION);
                LossSettings.from(c, SECTION).losses().forEach(l -> types.add(l.type()));
            }
        }
        assertThat(types).contains("d2v", "dkd", "ce");
    }

    @Test
    void mistakesAreOneLineNamingTheKey() {
        assertThatThrownBy(() -> read("losses=[{type=d2v}, {type=kld}]"))
                .hasMessage("distillery.train.losses[1].type: unknown loss 'kld' (known: d2v, ce, kd, dkd, lskd,"
                        + " hidden, attention, pkt, cosine)");
        assertThatThrownBy(() -> read("losses=[{type=kd, tmperature=2}]"))
                .hasMessage("distillery.train.losses[0].tmperature: loss 'kd' has no parameter 'tmperature' (known:"
                        + " temperature, type, weight)");
        assertThatThrownBy(() -> read("losses=[{type=d2v, eps=1}]"))
                .hasMessageStartingWith("distillery.train.losses[0].eps: loss 'd2v' has no parameter 'eps'");
        assertThatThrownBy(() -> read("losses=[{type=kd, temperature=-1}]"))
                .hasMessage("distillery.train.losses[0]: kd: temperature must be > 0, got -1.0");
        assertThatThrownBy(() -> read("losses=[{type=kd, temperature=hot}]"))
                .hasMessage("distillery.train.losses[0].temperature must be a number, got 'hot'");
        assertThatThrownBy(() -> read("losses=[{type=kd, weight=0}]"))
                .hasMessage("distillery.train.losses[0].weight must be a finite number > 0, got 0.0");
        assertThatThrownBy(() -> read("losses=[{weight=1}]"))
                .hasMessageStartingWith("distillery.train.losses[0].type is required (one of d2v, ce, kd,");
        assertThatThrownBy(() -> read("losses=[{type=pkt, teacher-column=target}]"))
                .hasMessage("distillery.train.losses[0].teacher-column must be pooled or cls, got 'target'");
        assertThatThrownBy(() -> read("losses=[{type=hidden, teacher-layer=4}]"))
                .hasMessage("distillery.train.losses[0].student-block is required (a 1-based block number)");
        assertThatThrownBy(() -> read("losses=[kd]"))
                .hasMessageStartingWith("distillery.train.losses[0] must be an object like {type = kd, weight = 1}");
        assertThatThrownBy(() -> read("losses=[]")).hasMessageStartingWith("distillery.train.losses is empty");
        assertThatThrownBy(() -> read("student.num-classes=-1"))
                .hasMessageStartingWith("distillery.train.student.num-classes must be >= 0");
    }
}
