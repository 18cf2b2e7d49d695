package io.distillery.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.distillery.config.JobConfigLoader;
import io.distillery.model.bert.BertConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PretrainMlmSettingsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void wordnetConfAndModelParse() {
        PretrainMlmSettings s = PretrainMlmSettings.from(JobConfigLoader.load(
                ROOT.resolve("conf/pretrain-mlm-wordnet.conf"), List.of(), PretrainMlmSettings.SECTION));
        assertEquals("work/wordnet/train.txt", s.corpus());
        assertEquals(64, s.maxLength());
        assertEquals(0.15, s.probability());
        assertEquals(0.8, s.maskFraction());
        assertEquals(0.1, s.randomFraction());
        BertConfig model = BertConfig.fromJson(ROOT.resolve(s.modelConfig()));
        assertEquals(128, model.hiddenSize());
        assertEquals(4, model.numLayers());
        assertEquals(8000, model.vocabSize());
    }

    @Test
    void missingCorpusIsAOneLineConfigError() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> PretrainMlmSettings.from(JobConfigLoader.load(
                        null,
                        List.of("run-dir=out/x", "vocab=v.txt", "model-config=c.json"),
                        PretrainMlmSettings.SECTION)));
        assertEquals(-1, e.getMessage().indexOf('\n'), e.getMessage());
    }
}
