package io.distillery.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads a job's configuration (HOCON, Typesafe Config) with one precedence, applied here and nowhere else:
 * command-line {@code --set key=value} &gt; the job file ({@code --config}) &gt; the defaults shipped in the jar
 * ({@code reference.conf}). Errors name the file and key.
 */
public final class JobConfigLoader {
    private JobConfigLoader() {}

    /**
     * @param jobFile   may be null (defaults only)
     * @param overrides {@code key=value} strings, HOCON syntax for values
     * @param section   the job's root key, e.g. {@code distillery.extract}
     */
    /** {@code scheme:/…} with no spaces or quotes, e.g. {@code hdfs://nn:8020/x}, {@code s3a://b/x}, {@code file:/x}. */
    private static final java.util.regex.Pattern URI_VALUE =
            java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:/[^\\s\"]*");

    public static Config load(Path jobFile, List<String> overrides, String section) {
        Config config = ConfigFactory.empty();
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set '" + override + "' must look like key=value");
            }
            String key = override.substring(0, eq).trim();
            String qualified = key.startsWith(section + ".") ? key : section + "." + key;
            String value = override.substring(eq + 1).trim();
            try {
                Config one = URI_VALUE.matcher(value).matches()
                        // a bare URI is taken literally: in HOCON its ':' and '//' would be syntax and a comment
                        ? ConfigFactory.empty().withValue(qualified, ConfigValueFactory.fromAnyRef(value))
                        : ConfigFactory.parseString(qualified + " = " + value);
                config = one.withFallback(config);
            } catch (ConfigException e) {
                throw new IllegalArgumentException("--set '" + override + "': " + e.getMessage(), e);
            }
        }
        if (jobFile != null) {
            if (!Files.isRegularFile(jobFile)) {
                throw new IllegalArgumentException("--config " + jobFile + " does not exist");
            }
            try {
                config = config.withFallback(ConfigFactory.parseFile(
                        jobFile.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)));
            } catch (ConfigException e) {
                throw new IllegalArgumentException(jobFile + ": " + e.getMessage(), e);
            }
        }
        Config reference = ConfigFactory.defaultReference();
        if (reference.hasPath(section) && config.hasPath(section)) {
            rejectUnknownKeys(config.getObject(section), reference.getConfig(section), section, jobFile);
        }
        try {
            Config resolved = config.withFallback(reference).resolve(ConfigResolveOptions.defaults());
            return resolved.getConfig(section);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Every key the user sets must exist in the defaults (reference.conf documents each one): a misspelt key would
     * otherwise be silently ignored and its default used.
     */
    private static void rejectUnknownKeys(ConfigObject user, Config reference, String prefix, Path jobFile) {
        for (String key : user.keySet()) {
            String path = ConfigUtil.joinPath(key);
            ConfigValue value = user.get(key);
            if (!reference.hasPathOrNull(path)) {
                throw new IllegalArgumentException("unknown setting '" + prefix + "." + key + "' ("
                        + (jobFile != null ? "--config " + jobFile + " or --set" : "--set")
                        + "); reference.conf lists every setting of " + prefix + " with its default");
            }
            if (value.valueType() == ConfigValueType.OBJECT
                    && !reference.getIsNull(path)
                    && reference.getValue(path).valueType() == ConfigValueType.OBJECT) {
                rejectUnknownKeys((ConfigObject) value, reference.getConfig(path), prefix + "." + key, jobFile);
            }
        }
    }
}
