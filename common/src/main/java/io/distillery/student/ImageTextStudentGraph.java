package io.distillery.student;

import io.distillery.masking.MaskGenerator;
import io.distillery.masking.MaskInput;
import io.distillery.model.EncoderGraph;
import io.distillery.model.VertexNames;
import io.distillery.model.kernels.MaskedTokensMath;
import io.distillery.model.layers.AttentionSublayer;
import io.distillery.model.layers.BlockStyle;
import io.distillery.model.layers.MaskedTokenSelect;
import io.distillery.model.layers.MlpSublayer;
import io.distillery.model.layers.ResidualJoin;
import io.distillery.model.layers.TokenLayerNorm;
import io.distillery.model.text.MaskedAttention;
import io.distillery.model.text.SegmentedAttention;
import io.distillery.model.text.TextEmbedding;
import io.distillery.model.text.TextEncoderGraph;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import io.distillery.targets.TextTargetRecipe;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossL2;

/**
 * A multimodal data2vec 2.0-style student: modality-specific input layers (the image student's patch embedding with
 * sin-cos positions and {@code norm_pre}; BERT's word + position + type embeddings with their LayerNorm), shared
 * blocks, optional modality-specific top blocks, then per modality a data2vec target head and, between the pooled
 * embeddings, CLIP's contrastive loss.
 *
 * <p>DL4J cannot apply one layer's weights to two inputs, so the shared blocks run once on the per-sample
 * concatenation {@code [image tokens (CLS + patches) ; text tokens]} ({@link #STREAM}) with a segment mask
 * ({@link SegmentedAttention}): a query attends only to its own modality's keys, text queries to real text tokens
 * only. Every other layer of a block works per token, so the shared blocks compute exactly what two separate runs with
 * the same weights would. After them the stream is split back by subset vertices.
 *
 * <p>Inputs: {@link VertexNames#INPUT} images [B, C, H, W], {@link TextEncoderGraph#IDS}, {@link
 * TextEncoderGraph#TYPE_IDS} and {@link TextEncoderGraph#MASK} [B, Tt]. Outputs and their labels:
 * <ul>
 *   <li>{@link #IMAGE_LOSS}: {@link StudentTargetHead} on the image tokens of the last {@code topK} layers, data2vec
 *       2.0's L2 loss as in {@link StudentGraph} (labels: the image target [T'*D_t]);
 *   <li>{@link #TEXT_LOSS}: {@link TextTargetHead} on the caption tokens and {@link TokenD2vLoss} as in
 *       {@link TextStudentGraph} (labels: the caption target [Tt*D_t] then the mask [Tt]);
 *   <li>{@link #CONTRASTIVE_LOSS}: the image CLS token and the mean of the caption's real tokens, each projected to
 *       E (no bias, as CLIP), side by side with the learned logit scale ({@link LogitScale}) into
 *       {@link ClipContrastiveLoss} (labels: [B, 1], unread).
 * </ul>
 * The graph's score is the sum of the three, each weighted by the config. Targets are block outputs (target tensor
 * 'block'); FFN targets would need the dangling-vertex handling of the single-modality students and are refused.
 */
public final class ImageTextStudentGraph {
    public static final String IMAGE_EMBED = "image.embed";
    public static final String IMAGE_EMBED_NORM = "image.embed.norm";
    public static final String TEXT_EMBED_INPUT = "text.embed.in";
    public static final String TEXT_EMBED = "text.embed";
    /** The per-sample concatenation of the image and text tokens that the shared blocks read. */
    public static final String STREAM = "stream";
    /**
     * A CLIP-KD graph with {@code mfd}: its fifth input, each row's mask ({@link MaskInput}, {@code [B, T + 2]}), and
     * the CLS + kept patch tokens the student's blocks see ({@link MaskedTokenSelect}).
     */
    public static final String IMAGE_MASK = "image.mask";

    public static final String IMAGE_VISIBLE = "image.visible";

    public static final String IMAGE_HEAD = "image.head";
    public static final String IMAGE_LOSS = "image.loss";
    public static final String TEXT_HEAD = "text.head";
    public static final String TEXT_LOSS = "text.loss";
    public static final String IMAGE_POOL = "image.pool";
    public static final String TEXT_POOL = "text.pool";
    /** A BEiT-style student's final LayerNorms on the pooled embeddings. */
    public static final String IMAGE_POOL_NORM = "image.pool.norm";

    public static final String TEXT_POOL_NORM = "text.pool.norm";
    public static final String IMAGE_PROJECTION = "image.proj";
    public static final String TEXT_PROJECTION = "text.proj";
    public static final String LOGIT_SCALE = "logit.scale";
    public static final String CONTRASTIVE_LOSS = "contrastive.loss";
    /** The CLIP-KD terms' learnable parameters ({@link KdLossParameters}), when they have any. */
    public static final String LOSS_PARAMETERS = "loss.params";

    private static final String IMAGE = "image.";
    private static final String TEXT = "text.";

    private ImageTextStudentGraph() {}

    /** The graph, initialised, with the optimiser of {@code optimization}. */
    public static ComputationGraph create(
            ImageTextStudentConfig config,
            TargetRecipe imageRecipe,
            int imageTargetDim,
            TextTargetRecipe textRecipe,
            int textTargetDim,
            Optimization optimization,
            DataType dataType) {
        ComputationGraph net = new ComputationGraph(configuration(
                config,
                imageRecipe,
                imageTargetDim,
                textRecipe,
                textTargetDim,
                optimization.builder(dataType),
                dataType));
        net.init();
        return net;
    }

    /**
     * The graph on a caller-made base (updater, seed, data type); gradient checks pass a no-op updater.
     *
     * @param imageRecipe    the image targets' recipe ({@code topK}: the student's last layers averaged)
     * @param imageTargetDim the image teacher's width (a projection is added when it differs from the student's)
     * @param textRecipe     the caption targets' recipe
     * @param textTargetDim  the text teacher's width
     */
    public static ComputationGraphConfiguration configuration(
            ImageTextStudentConfig config,
            TargetRecipe imageRecipe,
            int imageTargetDim,
            TextTargetRecipe textRecipe,
            int textTargetDim,
            NeuralNetConfiguration.Builder base,
            DataType dataType) {
        requireBlockTargets("image", imageRecipe.tensor(), imageRecipe.topK(), config.depth());
        requireBlockTargets("caption", textRecipe.tensor(), textRecipe.topK(), config.depth());
        ComputationGraphConfiguration.GraphBuilder graph = base.graphBuilder();
        Paths paths = addEncoders(graph, config, null);
        addImageD2v(graph, config, paths, imageRecipe, imageTargetDim, dataType);
        addTextD2v(graph, config, paths, textRecipe, textTargetDim);
        addContrastive(
                graph, config, paths, new ClipContrastiveLoss(config.embedDim(), config.contrastiveWeight()), null);
        graph.setOutputs(IMAGE_LOSS, TEXT_LOSS, CONTRASTIVE_LOSS);
        return graph.build();
    }

    /** The CLIP-KD graph, initialised, with the optimiser of {@code optimization}. */
    public static ComputationGraph createKd(
            ImageTextStudentConfig config, ImageTextKdLoss loss, Optimization optimization, DataType dataType) {
        ComputationGraph net = new ComputationGraph(
                kdConfiguration(config, loss, optimization.seed(), optimization.builder(dataType)));
        net.init();
        return net;
    }

    /**
     * The same encoders trained as a CLIP-style student against a CLIP teacher's cached embeddings (CLIP-KD): no
     * data2vec heads, one output {@link #CONTRASTIVE_LOSS} whose loss is {@code loss}, its labels the teacher's image
     * and text embeddings [B, 2 D_t]. The terms' learnable parameters, if any, enter through a
     * {@link KdLossParameters} layer after the logit scale ({@link #LOSS_PARAMETERS}), drawn from {@code seed}.
     *
     * <p>With {@code mfd} ({@link ImageTextKdLoss#maskRatio} > 0) the graph is the training form of a masked-image
     * student: a fifth input {@link #IMAGE_MASK} chooses the patches each row keeps, and the blocks see only those
     * and the CLS token, as CLIP-KD's {@code mask_forward}. {@link #unmaskedKdConfiguration} is the same student on
     * whole images, with the same parameters.
     */
    public static ComputationGraphConfiguration kdConfiguration(
            ImageTextStudentConfig config, ImageTextKdLoss loss, long seed, NeuralNetConfiguration.Builder base) {
        return kdConfiguration(
                config, loss, seed, base, loss.masks(config.image().gridSize()));
    }

    /** The CLIP-KD graph on whole images (the export form of an {@code mfd} student; else as {@link #kdConfiguration}). */
    public static ComputationGraphConfiguration unmaskedKdConfiguration(
            ImageTextStudentConfig config, ImageTextKdLoss loss, long seed, NeuralNetConfiguration.Builder base) {
        return kdConfiguration(config, loss, seed, base, null);
    }

    private static ComputationGraphConfiguration kdConfiguration(
            ImageTextStudentConfig config,
            ImageTextKdLoss loss,
            long seed,
            NeuralNetConfiguration.Builder base,
            MaskGenerator masks) {
        ComputationGraphConfiguration.GraphBuilder graph = base.graphBuilder();
        Paths paths = addEncoders(graph, config, masks);
        KdLossParameters parameters = null;
        if (KdLossParameters.needed(loss.terms(), config.embedDim(), loss.teacherDim())) {
            parameters = new KdLossParameters(
                    2 * config.embedDim() + 1, loss.terms(), config.embedDim(), loss.teacherDim(), seed);
        }
        addContrastive(graph, config, paths, loss, parameters);
        graph.setOutputs(CONTRASTIVE_LOSS);
        return graph.build();
    }

    /**
     * The whole-image form of a trained CLIP-KD student: {@code trained} itself without {@code mfd}; with it, a new
     * {@link #unmaskedKdConfiguration} graph holding {@code trained}'s parameters, layer by layer (the masked graph
     * only adds the parameter-free token selection, so every layer has its counterpart).
     */
    public static ComputationGraph wholeImage(
            ComputationGraph trained, ImageTextStudentConfig config, ImageTextKdLoss loss, long seed) {
        if (loss.maskRatio() == 0) {
            return trained;
        }
        DataType type = trained.params().dataType();
        ComputationGraph whole = new ComputationGraph(unmaskedKdConfiguration(
                config,
                loss,
                seed,
                new NeuralNetConfiguration.Builder().seed(seed).dataType(type)));
        whole.init();
        for (org.deeplearning4j.nn.api.Layer layer : whole.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                p.getValue().assign(trained.getLayer(name).getParam(p.getKey()));
            }
        }
        if (whole.numParams() != trained.numParams()) {
            throw new IllegalStateException("the whole-image graph has " + whole.numParams()
                    + " parameters, the trained one " + trained.numParams());
        }
        return whole;
    }

    /**
     * Both input layers, the shared blocks and each modality's own; with {@code masks}, the image path's blocks see
     * the CLS token and the kept patches only.
     */
    private static Paths addEncoders(
            ComputationGraphConfiguration.GraphBuilder graph, ImageTextStudentConfig config, MaskGenerator masks) {
        int imageTokens = addInputs(graph, config, masks);
        addSharedBlocks(graph, config, imageTokens);
        Paths paths = new Paths(graph, config, imageTokens);
        addTopBlocks(graph, config, paths);
        return paths;
    }

    private static void requireBlockTargets(String what, TargetTensor tensor, int topK, int depth) {
        if (tensor != TargetTensor.BLOCK) {
            throw new IllegalArgumentException("the image-text student regresses block outputs: " + what
                    + " target tensor " + tensor + " is not" + " supported");
        }
        if (topK < 1 || topK > depth) {
            throw new IllegalArgumentException(
                    what + " top-k " + topK + " is not within the student's " + depth + " layers per modality");
        }
    }

    /**
     * Both input layers, at the shared width, and their per-sample concatenation {@link #STREAM}; returns the image
     * tokens in it (CLS + patches, or CLS + the kept patches under {@code masks}).
     */
    private static int addInputs(
            ComputationGraphConfiguration.GraphBuilder graph, ImageTextStudentConfig c, MaskGenerator masks) {
        int tokens = c.textTokens();
        double eps = c.image().layerNormEps();
        InputType[] types = {
            InputType.convolutional(
                    c.image().imgSize(), c.image().imgSize(), c.image().inChans()),
            InputType.feedForward(tokens),
            InputType.feedForward(tokens),
            InputType.feedForward(tokens),
            masks == null ? null : InputType.feedForward(MaskInput.width(masks.tokens()))
        };
        if (masks == null) {
            graph.addInputs(VertexNames.INPUT, TextEncoderGraph.IDS, TextEncoderGraph.TYPE_IDS, TextEncoderGraph.MASK)
                    .setInputTypes(Arrays.copyOf(types, 4));
        } else {
            graph.addInputs(
                            VertexNames.INPUT,
                            TextEncoderGraph.IDS,
                            TextEncoderGraph.TYPE_IDS,
                            TextEncoderGraph.MASK,
                            IMAGE_MASK)
                    .setInputTypes(types);
        }
        graph.addLayer(IMAGE_EMBED, EncoderGraph.patchEmbedding(c.image()), VertexNames.INPUT)
                .addVertex(TEXT_EMBED_INPUT, new MergeVertex(), TextEncoderGraph.IDS, TextEncoderGraph.TYPE_IDS)
                .addLayer(
                        TEXT_EMBED,
                        new TextEmbedding(tokens, c.width(), c.vocabSize(), c.maxPositions(), c.typeVocabSize(), eps),
                        TEXT_EMBED_INPUT);
        // BEiT has no norm_pre (its blocks normalise first)
        String image = IMAGE_EMBED;
        if (!c.beitStyle()) {
            graph.addLayer(
                    IMAGE_EMBED_NORM, new TokenLayerNorm(c.imageTokens(), c.width(), eps, "norm_pre"), IMAGE_EMBED);
            image = IMAGE_EMBED_NORM;
        }
        if (masks == null) {
            graph.addVertex(STREAM, new MergeVertex(), image, TEXT_EMBED);
            return c.imageTokens();
        }
        if (c.relPosGrid() > 0) {
            throw new IllegalArgumentException("mfd masks the image tokens, but a BEiT-style student's relative"
                    + " position bias is defined on the whole patch grid; use a data2vec2-style student for mfd");
        }
        // norm_pre works per token, so selecting after it equals CLIP-KD's gather before ln_pre
        int patches = masks.tokens();
        int kept = masks.keptCount();
        graph.addVertex(IMAGE_VISIBLE + ".in", new MergeVertex(), image, IMAGE_MASK)
                .addLayer(
                        IMAGE_VISIBLE,
                        new MaskedTokenSelect(MaskedTokensMath.Op.ENCODER_INPUT, patches, kept, c.width(), 0),
                        IMAGE_VISIBLE + ".in")
                .addVertex(STREAM, new MergeVertex(), IMAGE_VISIBLE, TEXT_EMBED);
        return MaskedTokensMath.outputTokens(MaskedTokensMath.Op.ENCODER_INPUT, patches, kept);
    }

    /** The shared blocks on the stream, named as the image encoder's ({@link VertexNames}). */
    private static void addSharedBlocks(
            ComputationGraphConfiguration.GraphBuilder graph, ImageTextStudentConfig c, int imageTokens) {
        int tokens = imageTokens + c.textTokens();
        int dim = c.width();
        double eps = c.image().layerNormEps();
        String previous = STREAM;
        for (int n = 0; n < c.sharedBlocks(); n++) {
            String prefix = "blocks." + n + ".";
            String input = VertexNames.attention(n) + ".in";
            graph.addVertex(input, new MergeVertex(), previous, TextEncoderGraph.MASK)
                    .addLayer(
                            VertexNames.attention(n),
                            new SegmentedAttention(
                                    c.imageStyle(),
                                    imageTokens,
                                    c.textTokens(),
                                    dim,
                                    c.image().numHeads(),
                                    eps,
                                    c.relPosGrid(),
                                    c.image().initValues(),
                                    prefix),
                            input);
            previous = addBlockEnd(graph, "", n, tokens, c, c.imageStyle(), VertexNames.attention(n));
        }
    }

    /** A block's MLP and residual join after its attention vertex; returns the block's output vertex. */
    private static String addBlockEnd(
            ComputationGraphConfiguration.GraphBuilder graph,
            String scope,
            int n,
            int tokens,
            ImageTextStudentConfig c,
            BlockStyle style,
            String attention) {
        boolean beit = style == BlockStyle.BEIT_PRE_NORM_LAYER_SCALE;
        int dim = c.width();
        double eps = c.image().layerNormEps();
        String prefix = scope + "blocks." + n + ".";
        graph.addLayer(
                        scope + VertexNames.mlp(n),
                        new MlpSublayer(tokens, dim, c.image().mlpHidden(), beit, eps, prefix),
                        attention)
                .addVertex(scope + VertexNames.merge(n), new MergeVertex(), attention, scope + VertexNames.mlp(n))
                .addLayer(
                        scope + VertexNames.block(n),
                        new ResidualJoin(style, tokens, dim, eps, c.image().initValues(), prefix),
                        scope + VertexNames.merge(n));
        return scope + VertexNames.block(n);
    }

    /**
     * Each modality's own blocks after the shared ones: on the image the shared blocks' style, on text BERT's
     * post-norm layer with padded keys masked.
     */
    private static void addTopBlocks(
            ComputationGraphConfiguration.GraphBuilder graph, ImageTextStudentConfig c, Paths paths) {
        int dim = c.width();
        int heads = c.image().numHeads();
        double eps = c.image().layerNormEps();
        for (int k = 0; k < c.topBlocks(); k++) {
            int layer = c.sharedBlocks() + k;
            String prefix = IMAGE + "blocks." + k + ".";
            String imageAttention = IMAGE + VertexNames.attention(k);
            graph.addLayer(
                    imageAttention,
                    new AttentionSublayer(
                            c.imageStyle(),
                            paths.imageTokens,
                            dim,
                            heads,
                            eps,
                            c.relPosGrid(),
                            c.image().initValues(),
                            prefix),
                    paths.image(layer - 1));
            addBlockEnd(graph, IMAGE, k, paths.imageTokens, c, c.imageStyle(), imageAttention);
            String textAttention = TEXT + VertexNames.attention(k);
            String textInput = textAttention + ".in";
            graph.addVertex(textInput, new MergeVertex(), paths.text(layer - 1), TextEncoderGraph.MASK)
                    .addLayer(textAttention, new MaskedAttention(c.textTokens(), dim, heads, eps), textInput);
            addBlockEnd(graph, TEXT, k, c.textTokens(), c, BlockStyle.DATA2VEC_POST_NORM, textAttention);
        }
    }

    private static void addImageD2v(
            ComputationGraphConfiguration.GraphBuilder graph,
            ImageTextStudentConfig c,
            Paths paths,
            TargetRecipe recipe,
            int targetDim,
            DataType dataType) {
        String[] chosen = new String[recipe.topK()];
        for (int i = 0; i < chosen.length; i++) {
            chosen[i] = paths.image(c.depth() - recipe.topK() + i);
        }
        StudentTargetHead head = new StudentTargetHead(
                chosen.length,
                c.imageTokens(),
                c.width(),
                targetDim,
                recipe.tokens() == TargetTokens.PATCHES,
                recipe.eps());
        String headInput = chosen[0];
        if (chosen.length > 1) {
            headInput = IMAGE_HEAD + ".in";
            graph.addVertex(headInput, new MergeVertex(), chosen);
        }
        graph.addLayer(IMAGE_HEAD, head, headInput);
        // d2v_loss per token as StudentGraph: every column weighted by weight / (T' sqrt(D_t))
        long columns = (long) head.outputTokens() * targetDim;
        double weight = c.imageWeight() / (head.outputTokens() * Math.sqrt(targetDim));
        graph.addLayer(
                IMAGE_LOSS,
                new LossLayer.Builder()
                        .lossFunction(new LossL2(Nd4j.valueArrayOf(new long[] {1, columns}, weight, dataType)))
                        .activation(Activation.IDENTITY)
                        .build(),
                IMAGE_HEAD);
    }

    private static void addTextD2v(
            ComputationGraphConfiguration.GraphBuilder graph,
            ImageTextStudentConfig c,
            Paths paths,
            TextTargetRecipe recipe,
            int targetDim) {
        String[] inputs = new String[recipe.topK() + 1];
        for (int i = 0; i < recipe.topK(); i++) {
            inputs[i] = paths.text(c.depth() - recipe.topK() + i);
        }
        inputs[inputs.length - 1] = TextEncoderGraph.MASK;
        String headInput = TEXT_HEAD + ".in";
        graph.addVertex(headInput, new MergeVertex(), inputs)
                .addLayer(
                        TEXT_HEAD,
                        new TextTargetHead(
                                recipe.topK(),
                                0,
                                c.textTokens(),
                                c.width(),
                                targetDim,
                                recipe.layerNorm(),
                                recipe.eps()),
                        headInput)
                .addLayer(
                        TEXT_LOSS,
                        new LossLayer.Builder()
                                .lossFunction(new TokenD2vLoss(c.textTokens(), c.textWeight()))
                                .activation(Activation.IDENTITY)
                                .build(),
                        TEXT_HEAD);
    }

    /**
     * Pooled embeddings (image CLS, mean of the real caption tokens), projections, logit scale, the loss's own
     * parameters when it has any, and the loss.
     */
    private static void addContrastive(
            ComputationGraphConfiguration.GraphBuilder graph,
            ImageTextStudentConfig c,
            Paths paths,
            ILossFunction loss,
            KdLossParameters lossParameters) {
        int dim = c.width();
        String textPoolInput = TEXT_POOL + ".in";
        graph.addVertex(IMAGE_POOL, new SubsetVertex(0, dim - 1), paths.image(c.depth() - 1))
                .addVertex(textPoolInput, new MergeVertex(), paths.text(c.depth() - 1), TextEncoderGraph.MASK)
                .addLayer(TEXT_POOL, new MaskedMeanTokens(c.textTokens(), dim), textPoolInput);
        String image = IMAGE_POOL;
        String text = TEXT_POOL;
        if (c.beitStyle()) {
            // pre-norm blocks leave the residual stream unnormalised: a final LayerNorm first, as CLIP's ln_post
            double eps = c.image().layerNormEps();
            graph.addLayer(IMAGE_POOL_NORM, new TokenLayerNorm(1, dim, eps, IMAGE_POOL_NORM), IMAGE_POOL)
                    .addLayer(TEXT_POOL_NORM, new TokenLayerNorm(1, dim, eps, TEXT_POOL_NORM), TEXT_POOL);
            image = IMAGE_POOL_NORM;
            text = TEXT_POOL_NORM;
        }
        graph.addLayer(IMAGE_PROJECTION, projection(dim, c.embedDim()), image)
                .addLayer(TEXT_PROJECTION, projection(dim, c.embedDim()), text)
                .addVertex(LOGIT_SCALE + ".in", new MergeVertex(), IMAGE_PROJECTION, TEXT_PROJECTION)
                .addLayer(LOGIT_SCALE, new LogitScale(2 * c.embedDim()), LOGIT_SCALE + ".in");
        String lossInput = LOGIT_SCALE;
        if (lossParameters != null) {
            graph.addLayer(LOSS_PARAMETERS, lossParameters, LOGIT_SCALE);
            lossInput = LOSS_PARAMETERS;
        }
        graph.addLayer(
                CONTRASTIVE_LOSS,
                new LossLayer.Builder()
                        .lossFunction(loss)
                        .activation(Activation.IDENTITY)
                        .build(),
                lossInput);
    }

    private static DenseLayer projection(int in, int out) {
        return new DenseLayer.Builder()
                .nIn(in)
                .nOut(out)
                .hasBias(false)
                .activation(Activation.IDENTITY)
                .build();
    }

    /** The image part [B, Ti*D] of shared block n. */
    public static String sharedImagePart(int n) {
        return VertexNames.block(n) + ".image";
    }

    /** The text part [B, Tt*D] of shared block n. */
    public static String sharedTextPart(int n) {
        return VertexNames.block(n) + ".text";
    }

    /** Layer n (0-based: the shared blocks, then the modality's own) of the image path. */
    public static String imageLayer(ImageTextStudentConfig c, int n) {
        return n < c.sharedBlocks() ? sharedImagePart(n) : IMAGE + VertexNames.block(n - c.sharedBlocks());
    }

    /** Layer n of the text path. */
    public static String textLayer(ImageTextStudentConfig c, int n) {
        return n < c.sharedBlocks() ? sharedTextPart(n) : TEXT + VertexNames.block(n - c.sharedBlocks());
    }

    /** Each modality's layers, the shared blocks' parts split off the stream (once each) when first read. */
    private static final class Paths {
        private final ComputationGraphConfiguration.GraphBuilder graph;
        private final ImageTextStudentConfig config;
        /** Image tokens the blocks see: CLS + patches, or CLS + the kept patches of a masked student. */
        private final int imageTokens;

        private final Set<String> split = new HashSet<>();

        Paths(ComputationGraphConfiguration.GraphBuilder graph, ImageTextStudentConfig config, int imageTokens) {
            this.graph = graph;
            this.config = config;
            this.imageTokens = imageTokens;
        }

        String image(int n) {
            long width = (long) imageTokens * config.width();
            return part(n, imageLayer(config, n), 0, width);
        }

        String text(int n) {
            long from = (long) imageTokens * config.width();
            return part(n, textLayer(config, n), from, from + (long) config.textTokens() * config.width());
        }

        private String part(int n, String name, long from, long to) {
            if (n < config.sharedBlocks() && split.add(name)) {
                graph.addVertex(name, new SubsetVertex((int) from, (int) to - 1), VertexNames.block(n));
            }
            return name;
        }
    }
}
