package io.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.checkpoint.CheckpointFormatException;
import io.distillery.npy.ParityFiles;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Strict loading: every missing, unexpected or mis-shaped tensor is reported by key with both shapes. */
class EncoderWeightsTest {
    private static final ModelConfig TEACHER = ModelConfigs.fromJson(ParityFiles.file("teacher_beitv2/config.json"));
    private static final ModelConfig STUDENT = ModelConfigs.fromJson(ParityFiles.file("student_d2v2/config.json"));

    private static Map<String, INDArray> teacherTensors() {
        return new LinkedHashMap<>(EncoderLoader.readTensors(ParityFiles.file("teacher_beitv2/weights.safetensors")));
    }

    private static Map<String, INDArray> studentTensors() {
        return new LinkedHashMap<>(EncoderLoader.readTensors(ParityFiles.file("student_d2v2/weights.safetensors")));
    }

    @Test
    void missingTensorIsNamedWithItsShape() {
        Map<String, INDArray> tensors = teacherTensors();
        tensors.remove("blocks.1.attn.q_bias");
        assertThatThrownBy(() -> EncoderWeights.load(TEACHER, tensors, "teacher.safetensors"))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessage("teacher.safetensors: missing tensor 'blocks.1.attn.q_bias' [64]");
    }

    @Test
    void misShapedTensorNamesBothShapes() {
        Map<String, INDArray> tensors = teacherTensors();
        tensors.put("blocks.0.mlp.fc1.weight", Nd4j.zeros(255, 64));
        assertThatThrownBy(() -> EncoderWeights.load(TEACHER, tensors, "t.safetensors"))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessage("t.safetensors: tensor 'blocks.0.mlp.fc1.weight' has shape [255, 64] but the model "
                        + "expects [256, 64]");
    }

    @Test
    void unexpectedTensorIsAnError() {
        Map<String, INDArray> tensors = studentTensors();
        tensors.put("blocks.7.norm1.weight", Nd4j.ones(64));
        assertThatThrownBy(() -> EncoderWeights.load(STUDENT, tensors, "s.safetensors"))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith("s.safetensors: unexpected tensor 'blocks.7.norm1.weight' [64]");
    }

    @Test
    void severalProblemsAreCountedOnOneLine() {
        Map<String, INDArray> tensors = studentTensors();
        tensors.remove("cls_token");
        tensors.remove("norm_pre.bias");
        assertThatThrownBy(() -> EncoderWeights.load(STUDENT, tensors, "s"))
                .hasMessageContaining("(and 1 more problems)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void learnedLookingPositionsAreRejected() {
        Map<String, INDArray> tensors = studentTensors();
        tensors.put("pos_embed", tensors.get("pos_embed").add(0.01));
        assertThatThrownBy(() -> EncoderWeights.load(STUDENT, tensors, "s"))
                .hasMessageContaining("tensor 'pos_embed' differs from the fixed 2D sin-cos table");
    }

    @Test
    void teacherCheckpointDoesNotFitTheStudent() {
        assertThatThrownBy(() -> EncoderWeights.load(STUDENT, teacherTensors(), "teacher"))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessage("teacher: missing tensor 'norm_pre.weight' [64] (and 37 more problems)");
    }

    @Test
    void nonFiniteWeightIsRefusedAtLoadWithTheTensorsName(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        for (float bad : new float[] {Float.NaN, Float.NEGATIVE_INFINITY}) {
            Map<String, INDArray> tensors = teacherTensors();
            INDArray qkv = tensors.get("blocks.0.attn.qkv.weight").dup();
            qkv.putScalar(7, bad);
            tensors.put("blocks.0.attn.qkv.weight", qkv);
            io.distillery.checkpoint.SafetensorsWriter writer = new io.distillery.checkpoint.SafetensorsWriter();
            tensors.forEach((k, v) -> writer.addArray(k, v, io.distillery.checkpoint.DType.F32));
            java.nio.file.Path file = dir.resolve("poisoned-" + bad + ".safetensors");
            writer.write(file);
            assertThatThrownBy(() -> EncoderLoader.load(TEACHER, file))
                    .isInstanceOf(CheckpointFormatException.class)
                    .hasMessage(file + ": tensor 'blocks.0.attn.qkv.weight' holds NaN or Inf values; "
                            + "the checkpoint is damaged");
        }
    }

    @Test
    void exportGivesBackExactlyTheCheckpointTensors() {
        Map<String, INDArray> original = studentTensors();
        Map<String, INDArray> exported = EncoderWeights.export(EncoderWeights.load(STUDENT, original, "s"));
        assertThat(exported.keySet()).containsExactlyInAnyOrderElementsOf(original.keySet());
        original.forEach((key, value) -> assertThat(exported.get(key)).as(key).isEqualTo(value));

        Map<String, INDArray> teacher = teacherTensors();
        Map<String, INDArray> teacherExport = EncoderWeights.export(EncoderWeights.load(TEACHER, teacher, "t"));
        assertThat(teacherExport.keySet()).containsExactlyInAnyOrderElementsOf(teacher.keySet());
        teacher.forEach(
                (key, value) -> assertThat(teacherExport.get(key)).as(key).isEqualTo(value));
    }

    @Test
    void fairseqNamesLoadTheSameModel() {
        Map<String, INDArray> timm = studentTensors();
        Map<String, INDArray> fairseq = new LinkedHashMap<>();
        timm.forEach((key, value) -> fairseq.put(toFairseq(key), value));
        fairseq.put("modality_encoders.IMAGE.decoder.proj.weight", Nd4j.ones(4, 4)); // training-only, dropped
        Encoder a = EncoderWeights.load(STUDENT, timm, "timm");
        Encoder b = EncoderWeights.load(STUDENT, CheckpointKeys.toTimm(fairseq), "fairseq");
        INDArray images = ParityFiles.array("input");
        assertThat(b.forward(images).lastBlockOutput())
                .isEqualTo(a.forward(images).lastBlockOutput());
    }

    @Test
    void fairseqPrenetBlocksComeFirst() {
        Map<String, Integer> renamed = CheckpointKeys.toTimm(Map.of(
                "modality_encoders.IMAGE.context_encoder.blocks.0.norm1.weight", 0,
                "modality_encoders.IMAGE.context_encoder.blocks.1.norm1.weight", 1,
                "blocks.0.norm1.weight", 2,
                "modality_encoders.IMAGE.extra_tokens", 3));
        assertThat(renamed)
                .containsEntry("blocks.0.norm1.weight", 0)
                .containsEntry("blocks.1.norm1.weight", 1)
                .containsEntry("blocks.2.norm1.weight", 2)
                .containsEntry("cls_token", 3)
                .hasSize(4);
    }

    private static String toFairseq(String key) {
        String image = "modality_encoders.IMAGE.";
        return switch (key) {
            case "cls_token" -> image + "extra_tokens";
            case "pos_embed" -> image + "fixed_positional_encoder.positions";
            default ->
                key.startsWith("patch_embed.proj.")
                        ? key.replace("patch_embed.proj.", image + "local_encoder.proj.")
                        : key.startsWith("norm_pre.") ? key.replace("norm_pre.", image + "context_encoder.norm.") : key;
        };
    }
}
