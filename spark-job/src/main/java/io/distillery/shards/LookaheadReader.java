package io.distillery.shards;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.NoSuchElementException;

/** The iterator half of a {@link ShardReader}: formats only say how to fetch the next sample. */
abstract class LookaheadReader implements ShardReader {
    private RawSample next;

    /** The next sample, or null at the end of the shard. */
    protected abstract RawSample fetch() throws IOException;

    @Override
    public final boolean hasNext() {
        if (next == null) {
            try {
                next = fetch();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return next != null;
    }

    @Override
    public final RawSample next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        RawSample out = next;
        next = null;
        return out;
    }
}
