package io.distillery.cli;

import static io.distillery.cli.BadInputRun.runCapturingErr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.distillery.losses.LossInputs;
import io.distillery.losses.LossRegistry;
import io.distillery.losses.LossValue;
import io.distillery.npy.NpyReader;
import io.distillery.npy.NpyWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code distillery loss}: the printed loss and the --grad file against the loss library and against PyTorch
 * (the golden case of {@code src/test/resources/loss-cli/generate.py}), and one-line errors.
 */
class LossCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path student;
    private Path teacher;
    private JsonNode expected;

    @BeforeEach
    void copyGoldenCase() throws IOException, URISyntaxException {
        Path golden = Path.of(LossCommandTest.class
                        .getResource("/loss-cli/expected.json")
                        .toURI())
                .getParent();
        student = Files.copy(golden.resolve("student.npy"), dir.resolve("student.npy"));
        teacher = Files.copy(golden.resolve("teacher.npy"), dir.resolve("teacher.npy"));
        Files.copy(golden.resolve("labels.npy"), dir.resolve("labels.npy"));
        expected = JSON.readTree(golden.resolve("expected.json").toFile());
    }

    /** Runs the CLI expecting success; returns the one line printed on stdout. */
    private static String runForStdout(String... args) {
        String text = runCapturingOut(args);
        assertThat(text.lines().count()).as(text).isEqualTo(1);
        return text;
    }

    /** Runs the CLI expecting success; returns its stdout. */
    private static String runCapturingOut(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = DistilleryCli.run(args);
        } finally {
            System.setOut(original);
        }
        String text = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(code).as(text).isZero();
        return text;
    }

    private static double printedLoss(String line) throws IOException {
        JsonNode node = JSON.readTree(line);
        assertThat(node.size()).as(line).isEqualTo(1);
        assertThat(node.get("loss").isNumber()).as(line).isTrue();
        return node.get("loss").doubleValue();
    }

    private INDArray torchGradient() {
        int rows = expected.get("grad").size();
        double[][] g = new double[rows][];
        for (int i = 0; i < rows; i++) {
            g[i] = JSON.convertValue(expected.get("grad").get(i), double[].class);
        }
        return Nd4j.create(g);
    }

    private static LossValue library(INDArray s, INDArray t) {
        return LossRegistry.create("kd", ConfigFactory.parseMap(Map.of("temperature", 2)))
                .compute(LossInputs.of(s.castTo(DataType.DOUBLE), t.castTo(DataType.DOUBLE)));
    }

    private static double maxAbsDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE)
                .sub(b.castTo(DataType.DOUBLE))
                .amaxNumber()
                .doubleValue();
    }

    @Test
    void kdInFloat64MatchesTheLibraryAndPyTorch() throws IOException {
        Path grad = dir.resolve("grad.npy");
        double loss = printedLoss(runForStdout(
                "loss",
                "--type",
                "kd",
                "--set",
                "temperature=2",
                "--student",
                student.toString(),
                "--teacher",
                teacher.toString(),
                "--grad",
                grad.toString()));

        LossValue lib = library(NpyReader.readExact(student), NpyReader.readExact(teacher));
        assertThat(loss).isEqualTo(lib.value());
        INDArray written = NpyReader.readExact(grad);
        assertThat(written.dataType()).isEqualTo(DataType.DOUBLE);
        assertThat(written).isEqualTo(lib.gradient());

        // the independent PyTorch transcription of mdistiller's kd_loss, autograd gradient
        assertThat(loss).isCloseTo(expected.get("loss").asDouble(), within(1e-12 * Math.abs(loss)));
        assertThat(written.shape()).isEqualTo(new long[] {4, 5});
        assertThat(maxAbsDiff(written, torchGradient())).isLessThan(1e-13);
    }

    @Test
    void kdInFloat32GivesAFloat32GradientComputedInDouble() throws IOException {
        Path s32 = dir.resolve("s32.npy");
        Path t32 = dir.resolve("t32.npy");
        NpyWriter.write(s32, NpyReader.readExact(student));
        NpyWriter.write(t32, NpyReader.readExact(teacher));
        Path grad = dir.resolve("g32.npy");
        double loss = printedLoss(runForStdout(
                "loss",
                "--type",
                "kd",
                "--set",
                "temperature=2",
                "--student",
                s32.toString(),
                "--teacher",
                t32.toString(),
                "--grad",
                grad.toString()));

        LossValue lib = library(NpyReader.readExact(s32), NpyReader.readExact(t32));
        assertThat(loss).isEqualTo(lib.value());
        INDArray written = NpyReader.readExact(grad);
        assertThat(written.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(written).isEqualTo(lib.gradient().castTo(DataType.FLOAT));
        // inputs rounded to float32: PyTorch's double answer to float rounding
        assertThat(loss).isCloseTo(expected.get("loss").asDouble(), within(1e-5 * Math.abs(loss)));
        assertThat(maxAbsDiff(written, torchGradient())).isLessThan(1e-6);
    }

    @Test
    void defaultsApplyWithoutSetAndLabelsAndEpochReachTheLoss() throws IOException {
        double kd4 = printedLoss(
                runForStdout("loss", "--type", "kd", "--student", student.toString(), "--teacher", teacher.toString()));
        assertThat(kd4)
                .isEqualTo(LossRegistry.create("kd", ConfigFactory.empty())
                        .compute(LossInputs.of(NpyReader.readExact(student), NpyReader.readExact(teacher)))
                        .value());

        Path labels = dir.resolve("labels.npy"); // int64, as numpy saves np.array([0, 4, 2, 1])
        double ce = printedLoss(
                runForStdout("loss", "--type", "ce", "--student", student.toString(), "--labels", labels.toString()));
        assertThat(ce)
                .isEqualTo(LossRegistry.create("ce", ConfigFactory.empty())
                        .compute(LossInputs.ofLabels(NpyReader.readExact(student), new int[] {0, 4, 2, 1}))
                        .value());

        double dkd = printedLoss(runForStdout(
                "loss",
                "--type",
                "dkd",
                "--set",
                "warmup=4",
                "--set",
                "beta=2",
                "--student",
                student.toString(),
                "--teacher",
                teacher.toString(),
                "--labels",
                labels.toString(),
                "--epoch",
                "2"));
        assertThat(dkd)
                .isEqualTo(LossRegistry.create("dkd", ConfigFactory.parseMap(Map.of("warmup", 4, "beta", 2)))
                        .compute(LossInputs.of(NpyReader.readExact(student), NpyReader.readExact(teacher))
                                .withLabels(new int[] {0, 4, 2, 1})
                                .atEpoch(2))
                        .value());
    }

    @Test
    void tokenAndPooledTensorsReachTheirLoss() throws IOException {
        INDArray s = Nd4j.rand(DataType.DOUBLE, 2, 3, 4);
        INDArray t = Nd4j.rand(DataType.DOUBLE, 2, 3, 4);
        Path sp = dir.resolve("s.npy");
        Path tp = dir.resolve("t.npy");
        Path grad = dir.resolve("g.npy");
        NpyWriter.writeKeepingDouble(sp, s);
        NpyWriter.writeKeepingDouble(tp, t);
        double hidden = printedLoss(runForStdout(
                "loss",
                "--type",
                "hidden",
                "--student",
                sp.toString(),
                "--teacher",
                tp.toString(),
                "--grad",
                grad.toString()));
        LossValue lib = LossRegistry.create("hidden", ConfigFactory.empty()).compute(LossInputs.of(s, t));
        assertThat(hidden).isEqualTo(lib.value());
        assertThat(NpyReader.readExact(grad)).isEqualTo(lib.gradient());

        NpyWriter.writeKeepingDouble(
                sp,
                s.get(
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                        org.nd4j.linalg.indexing.NDArrayIndex.all()));
        NpyWriter.writeKeepingDouble(
                tp,
                t.get(
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                        org.nd4j.linalg.indexing.NDArrayIndex.all()));
        double cosine = printedLoss(runForStdout(
                "loss",
                "--type",
                "cosine",
                "--set",
                "eps=1e-6",
                "--student",
                sp.toString(),
                "--teacher",
                tp.toString()));
        assertThat(cosine)
                .isEqualTo(LossRegistry.create("cosine", ConfigFactory.parseMap(Map.of("eps", 1e-6)))
                        .compute(LossInputs.of(NpyReader.readExact(sp), NpyReader.readExact(tp)))
                        .value());
    }

    @Test
    void helpListsTheLosses() {
        String help = runCapturingOut("loss", "--help").replaceAll("\\s+", " ");
        assertThat(help).contains("--type=<type>").contains("ce, kd, dkd, lskd, hidden, attention, pkt, cosine");
    }

    @Test
    void unknownTypeNamesTheKnownOnes() {
        Path grad = dir.resolve("grad.npy");
        assertThat(runCapturingErr(
                        "loss",
                        "--type",
                        "kld",
                        "--student",
                        student.toString(),
                        "--teacher",
                        teacher.toString(),
                        "--grad",
                        grad.toString()))
                .startsWith("distillery loss: error: unknown loss 'kld' " + "(known: ce, kd, dkd");
        assertThat(grad).doesNotExist();
    }

    @Test
    void unknownOrBadParameterIsNamed() {
        assertThat(runCapturingErr(
                        "loss",
                        "--type",
                        "kd",
                        "--set",
                        "temprature=2",
                        "--student",
                        student.toString(),
                        "--teacher",
                        teacher.toString()))
                .isEqualTo("distillery loss: error: loss 'kd': unknown parameter " + "temprature (known: temperature)");
        assertThat(runCapturingErr(
                        "loss",
                        "--type",
                        "kd",
                        "--set",
                        "temperature=hot",
                        "--student",
                        student.toString(),
                        "--teacher",
                        teacher.toString()))
                .isEqualTo("distillery loss: error: " + "kd.temperature must be a number, got 'hot'");
        assertThat(runCapturingErr(
                        "loss",
                        "--type",
                        "kd",
                        "--set",
                        "temperature=0",
                        "--student",
                        student.toString(),
                        "--teacher",
                        teacher.toString()))
                .contains("temperature must be > 0");
    }

    @Test
    void shapeMismatchNamesTheFilesAndLeavesNoGradient() throws IOException {
        Path wide = dir.resolve("wide.npy");
        NpyWriter.write(wide, new float[4 * 6], 4, 6);
        Path grad = dir.resolve("grad.npy");
        String err = runCapturingErr(
                "loss",
                "--type",
                "kd",
                "--student",
                student.toString(),
                "--teacher",
                wide.toString(),
                "--grad",
                grad.toString());
        assertThat(err)
                .isEqualTo("distillery loss: error: kd: teacher shape [4, 6] differs from student shape "
                        + "[4, 5] (student " + student + ", teacher " + wide + ")");
        assertThat(grad).doesNotExist();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("student.npy", "teacher.npy", "labels.npy", "wide.npy");
        }
    }

    @Test
    void missingOrUnreadableInputIsNamed() throws IOException {
        Path nope = dir.resolve("nope.npy");
        assertThat(runCapturingErr(
                        "loss", "--type", "kd", "--student", student.toString(), "--teacher", nope.toString()))
                .isEqualTo("distillery loss: error: --teacher " + nope + ": no such file");
        Path junk = Files.writeString(dir.resolve("junk.npy"), "not numpy");
        assertThat(runCapturingErr(
                        "loss", "--type", "kd", "--student", junk.toString(), "--teacher", teacher.toString()))
                .startsWith("distillery loss: error: " + junk + ": ");
        assertThat(runCapturingErr(
                        "loss", "--type", "ce", "--student", student.toString(), "--labels", teacher.toString()))
                .isEqualTo("distillery loss: error: --labels " + teacher
                        + ": must be int32 or int64 class indices, got double");
        assertThat(runCapturingErr("loss", "--type", "kd", "--student", student.toString()))
                .isEqualTo(
                        "distillery loss: error: kd: needs the teacher tensor, none given (student " + student + ")");
    }
}
