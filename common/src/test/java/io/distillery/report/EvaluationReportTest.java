package io.distillery.report;

import static io.distillery.report.PlotAssert.assertNoTempFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.provenance.BuildInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationReportTest {

    @TempDir
    Path dir;

    private static final ModelResult TEACHER =
            ModelResult.accuracies("beitv2-base", "teacher", 0.7812, 0.8433, 768, 50_000, 10_000);
    private static final ModelResult STUDENT = ModelResult.accuracies(
                    "d2v2-small", "student", 0.6125, 0.70, 384, 50_000, 10_000)
            .withTargetSimilarity(0.41234, 0.812345);

    private static EvaluationReport report(List<ModelResult> models) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("knn.k", "20");
        settings.put("knn.temperature", "0.07");
        settings.put("probe.l2", "1.0E-4");
        return new EvaluationReport(
                EvaluationReport.FORMAT,
                EvaluationReport.CURRENT_VERSION,
                "CIFAR-10 frozen features",
                "2025-01-02T03:04:05Z",
                settings,
                Map.of("distillery", "0.1.0"),
                models);
    }

    @Test
    void markdownTableByHand() {
        ModelResult odd = new ModelResult(
                "student | lr 1e-2", "student", null, Double.NaN, Double.POSITIVE_INFINITY, null, 384, 50_000, 10_000);
        assertThat(report(List.of(TEACHER, STUDENT, odd)).toMarkdown()).isEqualTo("""
                # CIFAR-10 frozen features

                Created 2025-01-02T03:04:05Z.

                | model | kind | kNN top-1 | linear top-1 | target MSE | target cosine | dim | train | test |
                |---|---|---:|---:|---:|---:|---:|---:|---:|
                | beitv2-base | teacher | 78.12 | 84.33 | n/a | n/a | 768 | 50000 | 10000 |
                | d2v2-small | student | 61.25 | 70.00 | 0.4123 | 0.8123 | 384 | 50000 | 10000 |
                | student \\| lr 1e-2 | student | n/a | NaN | Infinity | n/a | 384 | 50000 | 10000 |

                Accuracies are top-1 in percent; MSE and cosine compare predicted with target tokens; n/a = not measured.

                ## Settings

                - knn.k: 20
                - knn.temperature: 0.07
                - probe.l2: 1.0E-4

                ## Versions

                - distillery: 0.1.0
                """);
    }

    @Test
    void plainTextTableIsAligned() {
        assertThat(report(List.of(TEACHER, STUDENT)).toText()).isEqualTo("""
                CIFAR-10 frozen features
                model        kind     kNN top-1  linear top-1  target MSE  target cosine  dim  train   test
                -----------  -------  ---------  ------------  ----------  -------------  ---  -----  -----
                beitv2-base  teacher      78.12         84.33         n/a            n/a  768  50000  10000
                d2v2-small   student      61.25         70.00      0.4123         0.8123  384  50000  10000
                """);
    }

    @Test
    void headColumnAppearsWhenAModelHasAClassifierHead() throws IOException {
        ModelResult kd = ModelResult.accuracies("kd-student", "student", 0.5, 0.625, 64, 100, 8)
                .withHeadAccuracy(0.875);
        EvaluationReport report = report(List.of(TEACHER, kd));
        assertThat(report.toText()).isEqualTo("""
                CIFAR-10 frozen features
                model        kind     kNN top-1  linear top-1  head top-1  target MSE  target cosine  dim  train   test
                -----------  -------  ---------  ------------  ----------  ----------  -------------  ---  -----  -----
                beitv2-base  teacher      78.12         84.33         n/a         n/a            n/a  768  50000  10000
                kd-student   student      50.00         62.50       87.50         n/a            n/a   64    100      8
                """);
        JsonNode node = new ObjectMapper().readTree(report.toJson());
        assertThat(node.get("models").get(1).get("head_accuracy").asDouble()).isEqualTo(0.875);
        assertThat(node.get("models").get(0).get("head_accuracy").isNull()).isTrue();
        assertThatThrownBy(() -> kd.withHeadAccuracy(1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("classifier-head accuracy of model kd-student");
    }

    @Test
    void jsonRoundTripsIncludingMissingAndNonFiniteValues() throws IOException {
        ModelResult diverged = new ModelResult(
                "d2v2-diverged",
                "student",
                Double.NaN,
                null,
                Double.POSITIVE_INFINITY,
                Double.NaN,
                384,
                50_000,
                10_000);
        EvaluationReport report = report(List.of(TEACHER, STUDENT, diverged));
        String json = report.toJson();

        JsonNode node = new ObjectMapper().readTree(json);
        assertThat(node.get("format").asText()).isEqualTo("distillery-evaluation");
        assertThat(node.get("format_version").asInt()).isEqualTo(1);
        JsonNode student = node.get("models").get(1);
        assertThat(student.get("knn_accuracy").asDouble()).isEqualTo(0.6125);
        assertThat(student.get("linear_probe_accuracy").asDouble()).isEqualTo(0.70);
        assertThat(student.get("target_mse").asDouble()).isEqualTo(0.41234);
        assertThat(student.get("feature_dim").asInt()).isEqualTo(384);
        assertThat(node.get("models").get(0).get("target_mse").isNull()).isTrue();
        assertThat(node.get("models").get(2).get("target_mse").asText()).isEqualTo("Infinity");

        assertThat(EvaluationReport.fromJson(json, "mem")).isEqualTo(report);
    }

    @Test
    void everyModelNamesTheCheckpointItScoredInJsonAndMarkdown() throws IOException {
        String sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        EvaluationReport report = report(List.of(
                TEACHER.withCheckpoint("hdfs://nn/teacher.safetensors", sha),
                STUDENT.withCheckpoint("file:/runs/s/student/student.safetensors", "00ff")));
        JsonNode teacher =
                new ObjectMapper().readTree(report.toJson()).get("models").get(0);
        assertThat(teacher.get("checkpoint").asText()).isEqualTo("hdfs://nn/teacher.safetensors");
        assertThat(teacher.get("checkpoint_sha256").asText()).isEqualTo(sha);
        EvaluationReport back = EvaluationReport.fromJson(report.toJson(), "mem");
        assertThat(back).isEqualTo(report);
        assertThat(back.models().get(1).targetMse())
                .as("kept by withCheckpoint")
                .isEqualTo(0.41234);
        assertThat(report.toMarkdown())
                .contains("## Checkpoints\n\n"
                        + "- beitv2-base: hdfs://nn/teacher.safetensors (SHA-256 " + sha + ")\n"
                        + "- d2v2-small: file:/runs/s/student/student.safetensors (SHA-256 00ff)\n");
        assertThat(report(List.of(TEACHER)).toMarkdown()).doesNotContain("Checkpoints");
    }

    @Test
    void filesAreWrittenAtomicallyAndReadBack() throws IOException {
        EvaluationReport report = EvaluationReport.of("run 7", Map.of("knn.k", "20"), List.of(TEACHER, STUDENT));
        Path out = dir.resolve("eval/run-7");
        report.writeJson(out.resolve("report.json"));
        report.writeMarkdown(out.resolve("report.md"));
        report.writeJson(out.resolve("report.json")); // replacing is fine

        assertThat(EvaluationReport.readJson(out.resolve("report.json"))).isEqualTo(report);
        assertThat(Files.readString(out.resolve("report.md"))).isEqualTo(report.toMarkdown());
        assertNoTempFiles(out);
        assertThat(report.versions()).isEqualTo(BuildInfo.versions());
        assertThat(Instant.parse(report.created())).isBefore(Instant.now().plusSeconds(1));
    }

    @Test
    void aVersion1ReportWrittenByAnEarlierBuildStillLoads() throws Exception {
        Path golden = Path.of(
                getClass().getResource("/report/evaluation-report-v1.json").toURI());
        EvaluationReport r = EvaluationReport.readJson(golden);
        assertThat(r.title()).isEqualTo("golden v1");
        assertThat(r.models())
                .containsExactly(
                        new ModelResult("teacher", "teacher", 0.75, 0.8, null, null, 768, 100, 50),
                        new ModelResult("student", "student", 0.5, Double.NaN, 0.25, 0.9, 384, 100, 50));
    }

    @Test
    void otherFormatsNewerVersionsAndBadValuesAreClearErrors() {
        assertThatThrownBy(() -> EvaluationReport.fromJson("{\"format\":\"x\"}", "r.json"))
                .isInstanceOf(ReportFormatException.class)
                .hasMessage(
                        "r.json: not a Distillery evaluation report (format is 'x', expected 'distillery-evaluation')");
        assertThatThrownBy(() -> EvaluationReport.fromJson(
                        "{\"format\":\"distillery-evaluation\",\"format_version\":2}", "r.json"))
                .hasMessage("r.json: found evaluation report version 2, this build reads 1 to 1");
        assertThatThrownBy(() -> EvaluationReport.fromJson(
                        "{\"format\":\"distillery-evaluation\",\"format_version\":1,"
                                + "\"title\":\"t\",\"models\":[{\"name\":\"m\",\"kind\":\"k\",\"knn_accuracy\":1.5,\"feature_dim\":4}]}",
                        "r.json"))
                .isInstanceOf(ReportFormatException.class)
                .hasMessage("r.json: evaluation report is not valid: kNN accuracy of model m must be a fraction in "
                        + "[0, 1] but was 1.5");

        assertThatThrownBy(() -> new EvaluationReport("other", 1, "t", "now", Map.of(), Map.of(), List.of(TEACHER)))
                .hasMessage("evaluation report format must be distillery-evaluation version 1 to 1 but was other "
                        + "version 1");
        assertThatThrownBy(() -> report(List.of()))
                .hasMessage("report 'CIFAR-10 frozen features' has no model results");
        assertThatThrownBy(() -> report(List.of(TEACHER, TEACHER)))
                .hasMessage("model name 'beitv2-base' appears twice in report 'CIFAR-10 frozen features'");
        assertThatThrownBy(() -> ModelResult.accuracies("m", "student", 0.5, 75.0, 4, 1, 1))
                .hasMessage("linear-probe accuracy of model m must be a fraction in [0, 1] but was 75.0");
        assertThatThrownBy(() -> ModelResult.accuracies(" ", "student", 0.5, 0.5, 4, 1, 1))
                .hasMessage("model name must not be blank");
        assertThatThrownBy(() -> ModelResult.accuracies("m", "student", 0.5, 0.5, 0, 1, 1))
                .hasMessage("feature dimension of model m must be at least 1 but was 0");
    }
}
