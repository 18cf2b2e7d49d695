package io.distillery.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real launcher script, as a user runs it: a separate JVM with the flags from deploy/jvm.args. */
class LauncherIT {
    private static final Path ROOT = Path.of(System.getProperty("distillery.root", ".."))
            .toAbsolutePath()
            .normalize();
    private static final Path PARITY = ROOT.resolve("common/src/test/resources/parity");

    private record Result(int code, String stdout, String stderr) {}

    private static Result launch(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("deploy/bin/distillery").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().put("DISTILLERY_NO_BUILD", "1"); // the reactor has just packaged spark-job
        pb.environment().put("DISTILLERY_BUILD_DIR", System.getProperty("distillery.buildDir", "target"));
        pb.redirectOutput(workDir.resolve("stdout.txt").toFile())
                .redirectError(workDir.resolve("stderr.txt").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("launcher finished").isTrue();
        return new Result(
                p.exitValue(),
                Files.readString(workDir.resolve("stdout.txt"), StandardCharsets.UTF_8),
                Files.readString(workDir.resolve("stderr.txt"), StandardCharsets.UTF_8));
    }

    @Test
    void forwardOnTheFixturesWritesEveryArrayAndTheManifest(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("forward");
        Result r = launch(
                dir,
                "forward",
                "--model",
                PARITY.resolve("student_d2v2/config.json").toString(),
                "--weights",
                PARITY.resolve("student_d2v2/weights.safetensors").toString(),
                "--images",
                PARITY.resolve("images").toString(),
                "--out",
                out.toString());
        assertThat(r.code()).as(r.stderr()).isZero();
        assertThat(out.resolve("manifest.json")).exists();
        for (String name : new String[] {"embed", "block_out_01", "block_out_03", "mlp_out_03", "target"}) {
            assertThat(out.resolve(name + ".npy")).exists();
        }
        assertThat(r.stdout()).doesNotContain("Added differentiated op");
    }

    @Test
    void badCheckpointExitsWithTwoAndOneLine(@TempDir Path dir) throws Exception {
        Path broken = Files.write(dir.resolve("broken.safetensors"), new byte[] {(byte) 0xff, 0, 0, 0, 0, 0, 0, 0, 1});
        Result r = launch(
                dir,
                "forward",
                "--model",
                PARITY.resolve("student_d2v2/config.json").toString(),
                "--weights",
                broken.toString(),
                "--images",
                PARITY.resolve("images").toString(),
                "--out",
                dir.resolve("o").toString());
        assertThat(r.code()).isEqualTo(2);
        List<String> errorLines =
                r.stderr().lines().filter(l -> l.contains("error:")).toList();
        assertThat(errorLines).hasSize(1);
        assertThat(errorLines.get(0)).contains("broken.safetensors");
        assertThat(dir.resolve("o/manifest.json")).doesNotExist();
    }

    @Test
    void versionAndHelpWork(@TempDir Path dir) throws Exception {
        Result version = launch(dir, "--version");
        assertThat(version.code()).isZero();
        assertThat(version.stdout()).contains("distillery 0.1.0-SNAPSHOT").contains("dl4j=1.0.0-M2.1");
        Result help = launch(dir, "forward", "--help");
        assertThat(help.stdout()).contains("--target-tensor").contains("beitv2_base_patch16_224");
    }
}
