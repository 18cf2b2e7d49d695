package io.distillery.train;

import io.distillery.model.Encoder;
import io.distillery.model.EncoderLoader;
import io.distillery.model.ModelConfig;
import io.distillery.spark.ModelFiles;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Resolves the student's config and seeds a freshly built training graph with its initial encoder weights. */
final class StudentFactory {
    private static final Logger LOG = LoggerFactory.getLogger(StudentFactory.class);

    private StudentFactory() {}

    /** The student's config from a preset or a config.json on any Hadoop filesystem. */
    static ModelConfig config(TrainSettings s, Configuration conf) {
        ModelConfig base;
        try {
            base = ModelFiles.config(s.studentModel(), conf);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(
                    s.section() + ".student.model " + s.studentModel() + ": " + e.getMessage(), e);
        }
        return s.studentDepth() > 0 ? base.withDepth(s.studentDepth()) : base;
    }

    /** Copies pretrained encoder weights into {@code training} when an init checkpoint is configured. */
    static void initialise(TrainSettings s, ModelConfig student, ComputationGraph training, Configuration conf) {
        if (s.initCheckpoint() == null) {
            LOG.info(
                    "student {} starts from random weights (seed {})",
                    student,
                    s.optimization().seed());
            return;
        }
        int[] blocks = s.initBlocks().isEmpty()
                ? IntStream.range(0, student.depth()).toArray()
                : s.initBlocks().stream().mapToInt(Integer::intValue).toArray();
        Path local;
        try {
            local = ModelFiles.localCopy(s.initCheckpoint(), conf);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(
                    s.section() + ".student.init-checkpoint " + s.initCheckpoint() + ": " + e.getMessage(), e);
        }
        Encoder pretrained = EncoderLoader.inherit(student, local, blocks);
        io.distillery.student.StudentWeights.copyEncoder(pretrained.graph(), training);
        LOG.info("student initialised from blocks {} of {}", java.util.Arrays.toString(blocks), s.initCheckpoint());
        if (s.initHead()) {
            io.distillery.student.StudentWeights.copyHead(
                    pretrained.head(), training, s.section() + ".student.init-head (" + s.initCheckpoint() + ")");
            LOG.info("student's fc_norm and classifier head initialised from {}", s.initCheckpoint());
        }
    }
}
