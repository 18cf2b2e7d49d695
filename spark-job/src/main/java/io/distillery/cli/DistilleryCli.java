package io.distillery.cli;

import io.distillery.provenance.BuildInfo;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code distillery} command line. */
@Command(
        name = "distillery",
        mixinStandardHelpOptions = true,
        versionProvider = DistilleryCli.Version.class,
        description = "Knowledge distillation (BEiT v2 teacher -> data2vec 2.0 student) on Apache Spark.",
        subcommands = {
            ForwardCommand.class,
            ExtractCommand.class,
            TrainCommand.class,
            FinetuneCommand.class,
            PretrainMlmCommand.class,
            EvaluateCommand.class,
            QuickstartCommand.class,
            ImportIdxCommand.class,
            LossCommand.class,
            io.distillery.bench.BenchmarkCommand.class
        })
public final class DistilleryCli implements Runnable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DistilleryCli.class);
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

    /**
     * Bad input or environment gets one line naming what is wrong (the cause is searched through Spark's and DL4J's
     * wrappers) and exit code 2; anything else is a bug: one line and exit 1. Traces go to the log file only.
     */
    private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        FailureReport.Outcome outcome = FailureReport.of(e);
        if (outcome.exitCode() == FailureReport.BAD_INPUT) {
            LOG.debug("distillery {} failed", cli.getCommandName(), e);
            err.println("distillery " + cli.getCommandName() + ": error: " + outcome.line());
            err.flush();
            return EXIT_BAD_INPUT;
        }
        LOG.error("distillery {} failed with an internal error", cli.getCommandName(), e);
        err.println("distillery " + cli.getCommandName() + ": internal error: " + outcome.line() + " (stack trace in "
                + logFile() + "; please report it)");
        err.flush();
        return FailureReport.BUG;
    }

    /** Where conf/log4j2-cli.xml writes traces (the same default). */
    static String logFile() {
        return System.getProperty(
                "distillery.log.file",
                System.getProperty("java.io.tmpdir") + "/distillery-" + System.getProperty("user.name") + ".log");
    }

    /** Version string for {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"distillery " + BuildInfo.version() + " " + BuildInfo.versions()};
        }
    }
}
