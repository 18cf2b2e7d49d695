package io.distillery.cli;

import io.distillery.model.ModelConfigs;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distillery forward}: run a converted checkpoint on images and dump every block as .npy. */
@Command(
        name = "forward",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a model on a folder of PNG/JPEG images and writes embed.npy, block_out_LL.npy, "
                    + "mlp_out_LL.npy, target.npy (float32) and manifest.json, to diff a converted checkpoint "
                    + "against PyTorch."
        })
final class ForwardCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "<preset|config.json>",
            description = "A preset (${COMPLETION-CANDIDATES}) or a config.json in the fixtures' format.",
            completionCandidates = Presets.class)
    String model;

    @Option(
            names = "--weights",
            required = true,
            paramLabel = "<file.safetensors>",
            description = "Checkpoint in timm (or fairseq data2vec 2.0) naming.")
    Path weights;

    @Option(names = "--images", required = true, paramLabel = "<dir>", description = "Folder of PNG/JPEG images.")
    Path images;

    @Option(
            names = "--target-tensor",
            defaultValue = "ffn",
            paramLabel = "ffn|block",
            description = "Per-block tensor the target averages (default: ${DEFAULT-VALUE}).",
            converter = EnumConverters.TargetTensorConverter.class)
    TargetTensor targetTensor;

    @Option(
            names = "--target-tokens",
            defaultValue = "patches",
            paramLabel = "patches|all",
            description =
                    "Tokens in the target: patches (data2vec 2.0) or all (CLS + patches). Default: ${DEFAULT-VALUE}.",
            converter = EnumConverters.TargetTokensConverter.class)
    TargetTokens targetTokens;

    @Option(names = "--top-k", paramLabel = "K", description = "Average the top K blocks (default: all).")
    Integer topK;

    @Option(names = "--out", required = true, paramLabel = "<dir>", description = "Output folder.")
    Path out;

    @Option(names = "--overwrite", description = "Replace an existing complete output in --out.")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        new ForwardDump(ModelConfigs.resolve(model), weights, images, targetTensor, targetTokens, topK, out, overwrite)
                .run();
        return 0;
    }

    /** Preset names for the help text. */
    static final class Presets implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return new java.util.TreeSet<>(ModelConfigs.presets().keySet()).iterator();
        }
    }
}
