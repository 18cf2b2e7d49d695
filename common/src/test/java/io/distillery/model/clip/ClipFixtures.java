package io.distillery.model.clip;

import io.distillery.npy.NpyReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The tiny random open_clip CLIP of src/test/resources/clip (written by its generate.py) and its reference outputs. */
final class ClipFixtures {
    static final int LAYERS = 2;

    /** The two fixture configs: the folder of their expected outputs and their open_clip config file. */
    enum Variant {
        GELU("gelu", "ViT-tiny.json"),
        QUICK_GELU("quickgelu", "ViT-tiny-quickgelu.json");

        final String folder;
        final String configFile;

        Variant(String folder, String configFile) {
            this.folder = folder;
            this.configFile = configFile;
        }

        ClipConfig config() {
            return ClipConfig.fromJson(dir().resolve(configFile));
        }

        ClipModel model() {
            return ClipModel.load(config(), weights());
        }

        INDArray expected(String name) {
            return array(folder + "/" + name);
        }
    }

    private ClipFixtures() {}

    static Path dir() {
        URL config = ClipFixtures.class.getResource("/clip/ViT-tiny.json");
        if (config == null) {
            throw new IllegalStateException("CLIP fixtures not on the test classpath (/clip/ViT-tiny.json)");
        }
        try {
            return Path.of(config.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path weights() {
        return dir().resolve("weights.safetensors");
    }

    /** An array in its stored type (int64 token ids stay LONG, the rest FLOAT). */
    static INDArray array(String name) {
        try {
            return NpyReader.readExact(dir().resolve(name + ".npy"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static INDArray pixels() {
        return array("pixels");
    }

    static int[][] tokenIds() {
        INDArray ids = array("text");
        int[][] rows = new int[(int) ids.size(0)][(int) ids.size(1)];
        for (int b = 0; b < rows.length; b++) {
            for (int t = 0; t < rows[b].length; t++) {
                rows[b][t] = Math.toIntExact(ids.getLong(b, t));
            }
        }
        return rows;
    }
}
