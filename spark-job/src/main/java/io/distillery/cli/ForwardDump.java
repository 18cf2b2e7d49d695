package io.distillery.cli;

import io.distillery.image.EvalTransform;
import io.distillery.image.ImageDecoder;
import io.distillery.image.ImagePreprocessor;
import io.distillery.image.RgbImage;
import io.distillery.model.Encoder;
import io.distillery.model.EncoderActivations;
import io.distillery.model.EncoderLoader;
import io.distillery.model.ModelConfig;
import io.distillery.provenance.Sha256;
import io.distillery.targets.ContextualizedTargets;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The work behind {@code distillery forward}. The manifest is written last (atomically), so a folder with a
 * manifest is complete; a folder without one is a partial output.
 */
final class ForwardDump {
    private final ModelConfig config;
    private final Path weights;
    private final Path imageDir;
    private final TargetTensor targetTensor;
    private final TargetTokens targetTokens;
    private final Integer topK;
    private final Path out;
    private final boolean overwrite;

    ForwardDump(
            ModelConfig config,
            Path weights,
            Path imageDir,
            TargetTensor targetTensor,
            TargetTokens targetTokens,
            Integer topK,
            Path out,
            boolean overwrite) {
        this.config = config;
        this.weights = weights;
        this.imageDir = imageDir;
        this.targetTensor = targetTensor;
        this.targetTokens = targetTokens;
        this.topK = topK;
        this.out = out;
        this.overwrite = overwrite;
    }

    void run() throws IOException {
        int k = topK == null ? config.depth() : topK;
        if (k < 1 || k > config.depth()) {
            throw new IllegalArgumentException("--top-k " + k + " must be within 1.." + config.depth());
        }
        TargetRecipe recipe = new TargetRecipe(targetTensor, targetTokens, k, TargetRecipe.DEFAULT_EPS);
        DumpFolder.check(out, overwrite);
        List<Path> files = listImages(imageDir);
        List<RgbImage> images = new ArrayList<>();
        for (Path file : files) {
            images.add(EvalTransform.resizeShorterSideAndCenterCrop(ImageDecoder.decode(file), config.imgSize()));
        }
        INDArray batch = ImagePreprocessor.square(config.imgSize(), config.imageMean(), config.imageStd())
                .batch(images);

        Encoder encoder = EncoderLoader.load(config, weights);
        EncoderActivations acts = encoder.forward(batch);
        List<INDArray> perBlock = targetTensor == TargetTensor.FFN ? acts.ffnBranches() : acts.blockOutputs();

        Map<String, INDArray> outputs = new LinkedHashMap<>();
        outputs.put("embed", acts.blockInput());
        for (int b = 0; b < config.depth(); b++) {
            String ll = String.format(Locale.ROOT, "%02d", b + 1);
            outputs.put("block_out_" + ll, acts.blockOutputs().get(b));
            outputs.put("mlp_out_" + ll, acts.mlpOutputs().get(b));
        }
        outputs.put("target", ContextualizedTargets.compute(perBlock, recipe));
        DumpFolder.requireFinite(
                weights, out, outputs, i -> "image " + files.get(i).getFileName());
        writeManifest(files, recipe, DumpFolder.writeArrays(out, outputs));
    }

    private void writeManifest(List<Path> files, TargetRecipe recipe, Map<String, long[]> arrays) throws IOException {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("model", config.toString());
        manifest.put("weights", weights.toAbsolutePath().toString());
        manifest.put("weights_sha256", Sha256.of(weights));
        manifest.put(
                "images", files.stream().map(p -> p.getFileName().toString()).toList());
        manifest.put(
                "preprocessing",
                "resize shorter side to " + config.imgSize() + " + center crop when the size "
                        + "differs; pixel/255; (x - mean) / std, mean " + java.util.Arrays.toString(config.imageMean())
                        + ", std " + java.util.Arrays.toString(config.imageStd()));
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("tensor", recipe.tensor().name().toLowerCase(Locale.ROOT));
        target.put("tokens", recipe.tokens().name().toLowerCase(Locale.ROOT));
        target.put("top_k", recipe.topK());
        target.put("eps", recipe.eps());
        manifest.put("target", target);
        DumpFolder.writeManifest(out, manifest, arrays);
    }

    static List<Path> listImages(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--images " + dir + " is not a directory");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile)
                    .filter(ForwardDump::isImage)
                    .sorted()
                    .toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("--images " + dir + " holds no .png/.jpg/.jpeg files");
        }
        return files;
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
    }
}
