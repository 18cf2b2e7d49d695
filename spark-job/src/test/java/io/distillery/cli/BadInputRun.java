package io.distillery.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the CLI expecting bad-input handling: exit code 2 and exactly one line on stderr, which it returns. */
final class BadInputRun {
    private BadInputRun() {}

    static String runCapturingErr(String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = DistilleryCli.run(args);
        } finally {
            System.setErr(original);
        }
        String text = err.toString(StandardCharsets.UTF_8).strip();
        assertThat(code).as(text).isEqualTo(DistilleryCli.EXIT_BAD_INPUT);
        assertThat(text.lines().count()).as(text).isEqualTo(1);
        return text;
    }
}
