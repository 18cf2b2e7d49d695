package io.distillery.cli;

import io.distillery.model.ModelConfigs;
import io.distillery.model.bert.BertConfig;
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
                    + "against PyTorch.",
            "With --texts (instead of --images) the model is a BERT and it writes input_ids.npy, "
                    + "attention_mask.npy, hidden_states_LL.npy (00: embeddings), ffn_LL.npy, target.npy (all "
                    + "float32) and manifest.json."
        })
final class ForwardCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "<preset|config.json>",
            description = "A preset (${COMPLETION-CANDIDATES}) or a config.json in the fixtures' format; with"
                    + " --texts a BERT preset (bert-base-uncased, bert-large-uncased) or Hugging Face config.json.",
            completionCandidates = Presets.class)
    String model;

    @Option(
            names = "--weights",
            required = true,
            paramLabel = "<file.safetensors>",
            description = "Checkpoint in timm (or fairseq data2vec 2.0) naming.")
    Path weights;

    @Option(names = "--images", paramLabel = "<dir>", description = "Folder of PNG/JPEG images.")
    Path images;

    @Option(
            names = "--texts",
            paramLabel = "<file>",
            description = "A UTF-8 text file, one text a line, for a BERT model (instead of --images).")
    Path texts;

    @Option(
            names = "--tokenizer",
            paramLabel = "<vocab.txt|tokenizer.json>",
            description = "With --texts: the WordPiece vocab.txt or Hugging Face tokenizer.json.")
    Path tokenizer;

    @Option(
            names = "--lowercase",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "With --texts and a vocab.txt: lowercase and strip accents (BERT uncased; default: true).")
    boolean lowercase;

    @Option(
            names = "--max-length",
            paramLabel = "N",
            description = "With --texts: tokens per text, [CLS] and [SEP] included (default: the longest text's).")
    Integer maxLength;

    @Option(
            names = "--layer-norm-targets",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "With --texts: layer-normalise each token's target, as extract's text.layer-norm-targets"
                    + " (default: true).")
    boolean layerNormTargets;

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
        if ((images == null) == (texts == null)) {
            throw new IllegalArgumentException("give exactly one of --images (an image model) and --texts (a BERT)");
        }
        if (texts != null) {
            if (targetTokens == TargetTokens.ALL) {
                throw new IllegalArgumentException(
                        "--target-tokens applies to --images only (text targets cover every real token)");
            }
            if (tokenizer == null) {
                throw new IllegalArgumentException(
                        "--texts needs --tokenizer (the model's vocab.txt or tokenizer.json)");
            }
            new TextForwardDump(
                            BertConfig.resolve(model),
                            weights,
                            texts,
                            tokenizer,
                            lowercase,
                            maxLength,
                            targetTensor,
                            topK,
                            layerNormTargets,
                            out,
                            overwrite)
                    .run();
            return 0;
        }
        if (tokenizer != null || maxLength != null) {
            throw new IllegalArgumentException("--tokenizer and --max-length apply to --texts only");
        }
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
