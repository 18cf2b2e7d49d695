package io.distillery.cli;

import com.typesafe.config.Config;
import io.distillery.config.JobConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code --config} and {@code --set} options every job command takes ({@code @Mixin}), and their loading. */
final class JobConfigOptions {
    @Option(names = "--config", paramLabel = "<job.conf>", description = "HOCON job file (see conf/).")
    Path config;

    @Option(
            names = "--set",
            paramLabel = "key=value",
            description = "Override one setting (keys relative to the job's section), e.g. --set seed=1.")
    List<String> overrides = new ArrayList<>();

    /** reference.conf &lt; --config file &lt; --set, for the job's {@code section}. */
    Config load(String section) {
        return JobConfigLoader.load(config, overrides, section);
    }
}
