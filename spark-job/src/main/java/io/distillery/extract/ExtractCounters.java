package io.distillery.extract;

import java.io.Serializable;
import org.apache.spark.util.LongAccumulator;

/** Progress counters shared by the tasks and read by the driver's progress log. */
public record ExtractCounters(LongAccumulator images, LongAccumulator rejects) implements Serializable {

    void imageDone() {
        images.add(1);
    }

    void rejected() {
        rejects.add(1);
        images.add(1);
    }
}
