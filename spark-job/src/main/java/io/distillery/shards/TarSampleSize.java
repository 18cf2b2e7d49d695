package io.distillery.shards;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bytes per webdataset sample, measured on the first samples of one tar, to estimate sample counts from file sizes
 * without reading every tar on the driver. Only progress reporting uses the estimate.
 */
final class TarSampleSize {
    static final int SAMPLES_EXAMINED = 100;
    /** Used when the sampled tar cannot be read or has no samples; about an img2dataset 256px JPEG with metadata. */
    static final double TYPICAL_SAMPLE_BYTES = 100_000;

    private static final Logger LOG = LoggerFactory.getLogger(TarSampleSize.class);

    private TarSampleSize() {}

    /** Bytes per sample over the first {@value #SAMPLES_EXAMINED} samples, or over those before any damage. */
    static double bytesPerSample(FileSystem fs, Path tar) {
        Set<String> keys = new HashSet<>();
        long bytes = 0;
        try (StrictTarInputStream in = new StrictTarInputStream(new BufferedInputStream(fs.open(tar), 1 << 16))) {
            TarArchiveEntry entry;
            while (keys.size() < SAMPLES_EXAMINED && (entry = in.getNextTarEntry()) != null) {
                WebDatasetName name = WebDatasetName.parse(entry.getName());
                if (entry.isFile() && name != null) {
                    keys.add(name.key());
                }
                bytes = in.getBytesRead();
            }
            bytes = in.getBytesRead();
        } catch (IOException e) {
            // The reader reports a damaged tar when its shard runs; the plan only needs a rough number.
            LOG.warn("cannot read the first members of {} to estimate sample counts: {}", tar, e.getMessage());
        }
        return keys.isEmpty() ? TYPICAL_SAMPLE_BYTES : (double) bytes / keys.size();
    }
}
