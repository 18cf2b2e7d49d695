package io.distillery.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.distillery.losses.LossInputs;
import io.distillery.losses.LossRegistry;
import io.distillery.losses.LossTerm;
import io.distillery.losses.LossValue;
import io.distillery.npy.NpyReader;
import io.distillery.npy.NpyWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distillery loss}: one configured loss term on .npy tensors, in double, to check a recipe against another
 * implementation (e.g. PyTorch) without running a job.
 */
@Command(
        name = "loss",
        mixinStandardHelpOptions = true,
        description = {
            "Evaluates one distillation loss on .npy tensors (logits [N, C], tokens [N, T, D], pooled "
                    + "[N, D], attention [N, H, T, T]) in double precision and prints {\"loss\": <value>} on stdout.",
            "With --grad it also writes d loss / d student as .npy (float64 for a float64 student, else " + "float32)."
        })
final class LossCommand implements Callable<Integer> {
    @Option(
            names = "--type",
            required = true,
            paramLabel = "<type>",
            description = "The loss: ${COMPLETION-CANDIDATES}.",
            completionCandidates = Types.class)
    String type;

    @Option(
            names = "--student",
            required = true,
            paramLabel = "<npy>",
            description = "Student tensor (float32 or float64), the one differentiated.")
    Path student;

    @Option(names = "--teacher", paramLabel = "<npy>", description = "Teacher tensor (float32 or float64).")
    Path teacher;

    @Option(names = "--labels", paramLabel = "<npy>", description = "Class labels [N] (int32 or int64).")
    Path labels;

    @Option(
            names = "--epoch",
            paramLabel = "N",
            description = "The (1-based, possibly fractional) epoch, for losses with a warm-up (dkd).")
    Double epoch;

    @Option(
            names = "--set",
            paramLabel = "key=value",
            description = "A parameter of the loss, e.g. --set temperature=2 (repeatable; unknown keys are an error).")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(
            names = "--grad",
            paramLabel = "<npy>",
            description = "Write d loss / d student here (atomically: no partial file on failure).")
    Path grad;

    @Override
    public Integer call() throws Exception {
        LossTerm term = LossRegistry.create(type, params());
        INDArray s = readTensor("--student", student);
        DataType studentType = s.dataType();
        LossInputs inputs = LossInputs.of(
                s.castTo(DataType.DOUBLE),
                teacher == null ? null : readTensor("--teacher", teacher).castTo(DataType.DOUBLE));
        if (labels != null) {
            inputs = inputs.withLabels(readLabels(labels));
        }
        if (epoch != null) {
            inputs = inputs.atEpoch(epoch);
        }
        LossValue value;
        try {
            value = term.compute(inputs);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (" + files() + ")", e);
        }
        if (grad != null) {
            NpyWriter.writeKeepingDouble(
                    grad, value.gradient().castTo(studentType == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT));
        }
        ObjectNode line = new ObjectMapper().createObjectNode();
        double loss = value.value();
        if (Double.isFinite(loss)) {
            line.put("loss", loss);
        } else {
            line.put("loss", Double.toString(loss)); // "NaN"/"Infinity", as metrics.jsonl writes them
        }
        System.out.println(line);
        System.out.flush();
        return 0;
    }

    /** The --set pairs as the loss's parameters; values that look like numbers are read as numbers by the loss. */
    private Config params() {
        for (String key : settings.keySet()) {
            if (key.isBlank() || key.contains(".")) {
                throw new IllegalArgumentException("--set '" + key + "': expected key=value with a plain key, e.g. "
                        + "temperature=2 (parameters of " + type + ": "
                        + LossRegistry.defaults(type).root().keySet()
                        + ")");
            }
        }
        return ConfigFactory.parseMap(settings, "--set");
    }

    private static INDArray readTensor(String option, Path file) throws IOException {
        INDArray a = NpyReader.readExact(requireFile(option, file));
        if (!a.dataType().isFPType()) {
            throw new IllegalArgumentException(option + " " + file + ": must be float32 or float64, got "
                    + a.dataType().name().toLowerCase(java.util.Locale.ROOT) + " " + Arrays.toString(a.shape()));
        }
        return a;
    }

    private static int[] readLabels(Path file) throws IOException {
        INDArray a = NpyReader.readExact(requireFile("--labels", file));
        if (a.dataType() != DataType.INT && a.dataType() != DataType.LONG) {
            throw new IllegalArgumentException("--labels " + file + ": must be int32 or int64 class indices, got "
                    + a.dataType().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (a.rank() != 1) {
            throw new IllegalArgumentException(
                    "--labels " + file + ": must be [N], got shape " + Arrays.toString(a.shape()));
        }
        long[] values = a.length() == 0 ? new long[0] : a.toLongVector();
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < Integer.MIN_VALUE || values[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        "--labels " + file + ": labels[" + i + "] = " + values[i] + " is not a class index");
            }
            out[i] = (int) values[i];
        }
        return out;
    }

    private static Path requireFile(String option, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(
                    option + " " + file + (Files.exists(file) ? ": not a file" : ": no such file"));
        }
        return file;
    }

    private String files() {
        StringBuilder b = new StringBuilder("student ").append(student);
        if (teacher != null) {
            b.append(", teacher ").append(teacher);
        }
        if (labels != null) {
            b.append(", labels ").append(labels);
        }
        return b.toString();
    }

    /** Loss names for the help text. */
    static final class Types implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return LossRegistry.types().iterator();
        }
    }
}
