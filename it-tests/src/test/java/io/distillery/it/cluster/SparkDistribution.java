package io.distillery.it.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Enumeration;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * A stand-in for a Spark 3.5 installation, made from the build's jars, to run the spark-submit templates as on a
 * real cluster: {@code jars/} holds the runtime jars that are NOT inside the job jar (so the job jar must bring
 * everything else itself), {@code conf/spark-defaults.conf} the cluster's settings, and {@code bin/spark-submit}
 * does what Spark's own script does (bin/spark-class): ask Spark's launcher library for the driver's command line
 * (driver JVM options, memory, classpath) and run it.
 */
public final class SparkDistribution {
    private SparkDistribution() {}

    /** Creates the installation in {@code home}; returns its {@code bin/spark-submit}. */
    public static Path create(Path home, Path jobJar, Map<String, String> defaults) throws IOException {
        Path lib = ClusterPaths.ROOT
                .resolve("spark-job")
                .resolve(ClusterPaths.BUILD_DIR)
                .resolve("lib");
        Path jars = Files.createDirectories(home.resolve("jars"));
        try (JarFile job = new JarFile(jobJar.toFile());
                Stream<Path> files = Files.list(lib)) {
            for (Path jar :
                    files.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                if (jar.getFileName().toString().startsWith("distillery-")) {
                    continue;
                }
                String probe = firstFile(jar);
                if (probe == null || job.getEntry(probe) == null) {
                    Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar);
                }
            }
        }
        StringBuilder conf = new StringBuilder();
        defaults.forEach((k, v) -> conf.append(k).append(' ').append(v).append('\n'));
        Files.writeString(Files.createDirectories(home.resolve("conf")).resolve("spark-defaults.conf"), conf);
        Path submit = Files.createDirectories(home.resolve("bin")).resolve("spark-submit");
        Files.writeString(submit, """
                #!/usr/bin/env bash
                # What Spark's bin/spark-submit + bin/spark-class do: Spark's launcher library prints the driver's
                # command line (after a line holding a NUL, NUL-separated), which is then run.
                set -euo pipefail
                export SPARK_HOME="$(cd "$(dirname "$0")/.." && pwd)" SPARK_SCALA_VERSION=2.12
                build_command() {
                  java -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main org.apache.spark.deploy.SparkSubmit "$@"
                  printf '%d\\0' $?
                }
                CMD=()
                DELIM=$'\\n'
                CMD_START_FLAG=false
                while IFS= read -d "$DELIM" -r _ARG; do
                  ARG=${_ARG//$'\\r'}
                  if [ "$CMD_START_FLAG" = true ]; then
                    CMD+=("$ARG")
                  elif [ "$ARG" = $'\\0' ]; then
                    DELIM=''
                    CMD_START_FLAG=true
                  elif [ "$ARG" != "" ]; then
                    echo "$ARG"
                  fi
                done < <(build_command "$@")
                COUNT=${#CMD[@]}
                LAST=$((COUNT - 1))
                LAUNCHER_EXIT_CODE=${CMD[$LAST]}
                [ "$LAUNCHER_EXIT_CODE" = 0 ] || exit "$LAUNCHER_EXIT_CODE"
                exec "${CMD[@]:0:$LAST}"
                """, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
        return submit;
    }

    /** The first class (or other non-META-INF file) of a jar: present in the job jar iff the jar was bundled. */
    private static String firstFile(Path jar) throws IOException {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = jf.entries();
            String other = null;
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                if (e.isDirectory()
                        || e.getName().startsWith("META-INF/")
                        || e.getName().equals("module-info.class")) {
                    continue;
                }
                if (e.getName().endsWith(".class")) {
                    return e.getName();
                }
                if (other == null) {
                    other = e.getName();
                }
            }
            return other;
        }
    }
}
