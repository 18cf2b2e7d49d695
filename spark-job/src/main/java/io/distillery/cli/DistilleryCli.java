package io.distillery.cli;

import io.distillery.checkpoint.CheckpointFormatException;
import io.distillery.importer.IdxFormatException;
import io.distillery.provenance.BuildInfo;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code distillery} command line. */
@Command(name = "distillery", mixinStandardHelpOptions = true, versionProvider = DistilleryCli.Version.class,
        description = "Knowledge distillation (BEiT v2 teacher -> data2vec 2.0 student) on Apache Spark.",
        subcommands = {ForwardCommand.class, ExtractCommand.class, TrainCommand.class, FinetuneCommand.class,
                EvaluateCommand.class, QuickstartCommand.class,
                ImportIdxCommand.class,
                io.distillery.bench.BenchmarkCommand.class})
public final class DistilleryCli implements Runnable {
    /** Exit code for bad input (arguments, files, checkpoints). */
    public static final int EXIT_BAD_INPUT = 2;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        StdoutFilter.install();
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (used by tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new DistilleryCli());
        cli.setExecutionExceptionHandler(DistilleryCli::handle);
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Bad input gets one line naming what is wrong; anything else keeps its stack trace. */
    private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        if (e instanceof IllegalArgumentException || e instanceof CheckpointFormatException
                || e instanceof IdxFormatException || e instanceof java.io.IOException
                || e instanceof io.distillery.train.TrainingDivergedException) {
            err.println("distillery " + cli.getCommandName() + ": error: " + oneLine(e.getMessage()));
            err.flush();
            return EXIT_BAD_INPUT;
        }
        e.printStackTrace(err);
        err.flush();
        return 1;
    }

    private static String oneLine(String message) {
        return message == null ? "(no message)" : message.replace('\n', ' ');
    }

    /** Version string for {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"distillery " + BuildInfo.version() + " " + BuildInfo.versions()};
        }
    }
}
