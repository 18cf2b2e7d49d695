package io.distillery.train;

import io.distillery.model.Encoder;
import io.distillery.model.EncoderLoader;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Resolves the student's config and seeds a freshly built training graph with its initial encoder weights. */
final class StudentFactory {
    private static final Logger LOG = LoggerFactory.getLogger(StudentFactory.class);

    private StudentFactory() {
    }

    static ModelConfig config(TrainSettings s) {
        ModelConfig base = ModelConfigs.resolve(s.studentModel());
        return s.studentDepth() > 0 ? base.withDepth(s.studentDepth()) : base;
    }

    /** Copies pretrained encoder weights into {@code training} when an init checkpoint is configured. */
    static void initialise(TrainSettings s, ModelConfig student, ComputationGraph training) {
        if (s.initCheckpoint() == null) {
            LOG.info("student {} starts from random weights (seed {})", student, s.optimization().seed());
            return;
        }
        int[] blocks = s.initBlocks().isEmpty() ? IntStream.range(0, student.depth()).toArray()
                : s.initBlocks().stream().mapToInt(Integer::intValue).toArray();
        Encoder pretrained = EncoderLoader.inherit(student, Path.of(s.initCheckpoint()), blocks);
        io.distillery.student.StudentWeights.copyEncoder(pretrained.graph(), training);
        LOG.info("student initialised from blocks {} of {}", java.util.Arrays.toString(blocks), s.initCheckpoint());
    }
}
