package io.distillery.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import io.distillery.spark.ClipModels;
import io.distillery.spark.ModelFiles;
import io.distillery.spark.TextModelFiles;
import io.distillery.student.ImageTextStudentGraph;
import io.distillery.text.ClipTokenizer;
import io.distillery.text.Encoding;
import io.distillery.text.WordPieceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A multimodal student (a {@code train} run with {@code student.multimodal}) for image-text evaluation: its
 * {@code student/model.zip} and {@code student/multimodal.json} (shape and caption tokenizer: BERT WordPiece, or CLIP's
 * BPE for a CLIP-KD student). The embeddings are the
 * contrastive projections of the image CLS token and of the mean caption token, L2-normalised. The shared blocks keep
 * the modalities apart (segment mask), so images are embedded next to a one-token placeholder caption and captions
 * next to a blank image without either changing the other's embedding. A DL4J graph is not thread-safe: passes on
 * one model take turns.
 */
final class MultimodalStudentModel implements ImageTextModel {
    private static final Map<String, MultimodalStudentModel> LOADED = new ConcurrentHashMap<>();

    private final ComputationGraph graph;
    private final ModelConfig image;
    private final CaptionIds tokenizer;
    private final int textTokens;

    private MultimodalStudentModel(ComputationGraph graph, ModelConfig image, CaptionIds tokenizer, int textTokens) {
        this.graph = graph;
        this.image = image;
        this.tokenizer = tokenizer;
        this.textTokens = textTokens;
    }

    static MultimodalStudentModel load(String runDir) {
        return LOADED.computeIfAbsent(runDir, MultimodalStudentModel::read);
    }

    private static MultimodalStudentModel read(String runDir) {
        Configuration conf = org.apache.spark.deploy.SparkHadoopUtil.get().conf();
        String student = runDir + "/student/";
        try {
            JsonNode shape = new ObjectMapper()
                    .readTree(ModelFiles.localCopy(student + "multimodal.json", conf)
                            .toFile());
            if (shape == null || !shape.has("tokenizer") || !shape.has("image")) {
                throw new IllegalArgumentException(
                        student + "multimodal.json: not a multimodal student's export" + " (no image / tokenizer)");
            }
            ModelConfig image = ModelConfigs.fromJsonNode(shape.get("image"), student + "multimodal.json#image");
            int textTokens = shape.get("text_tokens").asInt();
            CaptionIds tokenizer =
                    "clip-bpe".equals(shape.path("tokenizer_kind").asText("wordpiece"))
                            ? clipBpe(shape.get("tokenizer"), conf)
                            : wordPiece(
                                    shape.get("tokenizer").asText(),
                                    shape.path("lowercase").asBoolean(true),
                                    student,
                                    conf);
            ComputationGraph graph = ModelSerializer.restoreComputationGraph(
                    ModelFiles.localCopy(student + "model.zip", conf).toFile(), false);
            return new MultimodalStudentModel(graph, image, tokenizer, textTokens);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot load the multimodal student of " + runDir + ": " + e.getMessage(), e);
        }
    }

    /** A caption's ids and attention mask in exactly {@code tokens} slots, as the student was trained on them. */
    private interface CaptionIds {
        int[][] encode(String text, int tokens);
    }

    private static CaptionIds wordPiece(String file, boolean lowercase, String student, Configuration conf)
            throws IOException {
        WordPieceTokenizer tokenizer = TextModelFiles.tokenizer(
                student + "multimodal.json tokenizer", file, lowercase, ModelFiles.localCopy(file, conf));
        return (text, tokens) -> {
            Encoding e = tokenizer.encode(text, tokens);
            return new int[][] {e.ids(), e.attentionMask()};
        };
    }

    /** CLIP's BPE (null: the bundled OpenAI vocabulary), masked through end-of-text as in training. */
    private static CaptionIds clipBpe(JsonNode file, Configuration conf) throws IOException {
        ClipTokenizer tokenizer = ClipModels.tokenizer(file == null || file.isNull() ? null : file.asText(), conf);
        return (text, tokens) -> {
            int[] ids = tokenizer.tokenize(text, tokens);
            return new int[][] {ids, ClipTokenizer.attentionMask(ids)};
        };
    }

    @Override
    public int imageSize() {
        return image.imgSize();
    }

    @Override
    public double[] mean() {
        return image.imageMean();
    }

    @Override
    public double[] std() {
        return image.imageStd();
    }

    @Override
    public INDArray embedImages(INDArray images) {
        int n = (int) images.size(0);
        float[] mask = new float[n * textTokens];
        for (int i = 0; i < n; i++) {
            mask[i * textTokens] = 1; // a one-token placeholder caption
        }
        return forward(images, new float[n * textTokens], mask, ImageTextStudentGraph.IMAGE_PROJECTION);
    }

    @Override
    public INDArray embedTexts(List<String> texts) {
        int n = texts.size();
        float[] ids = new float[n * textTokens];
        float[] mask = new float[n * textTokens];
        for (int i = 0; i < n; i++) {
            int[][] e = tokenizer.encode(texts.get(i), textTokens);
            for (int t = 0; t < textTokens; t++) {
                ids[i * textTokens + t] = e[0][t];
                mask[i * textTokens + t] = e[1][t];
            }
        }
        INDArray blank = Nd4j.zeros(DataType.FLOAT, n, image.inChans(), image.imgSize(), image.imgSize());
        return forward(blank, ids, mask, ImageTextStudentGraph.TEXT_PROJECTION);
    }

    private synchronized INDArray forward(INDArray images, float[] ids, float[] mask, String vertex) {
        int n = (int) images.size(0);
        INDArray[] inputs = {
            images.castTo(DataType.FLOAT),
            Nd4j.create(ids, new long[] {n, textTokens}, DataType.FLOAT),
            Nd4j.zeros(DataType.FLOAT, n, textTokens),
            Nd4j.create(mask, new long[] {n, textTokens}, DataType.FLOAT)
        };
        INDArray embedding = graph.feedForward(inputs, false).get(vertex).dup();
        return embedding.diviColumnVector(embedding.norm2(1).reshape(n, 1).addi(1e-12));
    }
}
