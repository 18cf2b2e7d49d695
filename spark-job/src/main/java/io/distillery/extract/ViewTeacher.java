package io.distillery.extract;

import java.io.InterruptedIOException;
import java.util.List;

/** The image teacher of an extract as the shard loop sees it: the view size it takes, and its columns per batch. */
interface ViewTeacher {
    /** Side of the square views the teacher takes, in pixels. */
    int imageSize();

    /** The batch's packed columns ({@link BatchTensors}: one equal-length slice per view), in a stable order. */
    BatchTensors run(List<PendingView> views) throws InterruptedIOException;
}
