package io.distillery.cli;

import io.distillery.checkpoint.CheckpointFormatException;
import io.distillery.features.FeatureFormatException;
import io.distillery.importer.IdxFormatException;
import io.distillery.report.ReportFormatException;
import io.distillery.shards.ShardCorruptException;
import io.distillery.train.TrainingDivergedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * What the user sees when a command fails. Faults of the input or the environment are often wrapped — by Spark
 * ({@code SparkException: Job aborted due to stage failure ...}), DL4J or an executor — so the cause chain is
 * searched for the first exception that describes one; it becomes one line and exit code 2. Anything else is an
 * internal bug: exit code 1 with its trace.
 */
final class FailureReport {
    /** Exit code for bad input or environment. */
    static final int BAD_INPUT = 2;
    /** Exit code for an internal error. */
    static final int BUG = 1;

    /** @param line the one-line message (no newline); {@code cause} the exception it came from */
    record Outcome(int exitCode, String line, Throwable cause) {}

    private FailureReport() {}

    static Outcome of(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = failure; t != null && seen.put(t, true) == null; t = t.getCause()) {
            if (isBadInput(t) && !onlyRepeatsItsCause(t)) {
                return new Outcome(BAD_INPUT, oneLine(describe(t)), t);
            }
        }
        return new Outcome(BUG, oneLine(String.valueOf(failure)), failure);
    }

    /** {@code new UncheckedIOException(e)} and the like: the message is the cause's toString, the cause says more. */
    private static boolean onlyRepeatsItsCause(Throwable t) {
        Throwable cause = t.getCause();
        return cause != null
                && cause != t
                && isBadInput(cause)
                && String.valueOf(cause).equals(t.getMessage());
    }

    private static boolean isBadInput(Throwable t) {
        if (t instanceof UncheckedIOException) {
            return true;
        }
        return t instanceof IllegalArgumentException
                || t instanceof IOException
                || t instanceof CheckpointFormatException
                || t instanceof IdxFormatException
                || t instanceof FeatureFormatException
                || t instanceof ShardCorruptException
                || t instanceof ReportFormatException
                || t instanceof TrainingDivergedException
                || t instanceof com.typesafe.config.ConfigException;
    }

    /** The message, made to name the file when the JDK's own message is only a path. */
    private static String describe(Throwable t) {
        if (t instanceof FileSystemException fse) {
            String what = fse.getReason() != null
                    ? fse.getReason()
                    : fse instanceof AccessDeniedException
                            ? "permission denied"
                            : fse instanceof NoSuchFileException
                                    ? "no such file or directory"
                                    : fse instanceof FileAlreadyExistsException
                                            ? "already exists"
                                            : fse.getClass().getSimpleName();
            return fse.getFile() + (fse.getOtherFile() != null ? " -> " + fse.getOtherFile() : "") + ": " + what;
        }
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        return message;
    }

    private static String oneLine(String message) {
        String line = message.strip();
        int newline = line.indexOf('\n');
        // Spark appends the remote trace to its messages: keep the first line only
        return newline < 0 ? line : line.substring(0, newline).strip();
    }
}
