package io.distillery.extract;

import java.io.Serializable;

/**
 * What one shard task reports to the driver.
 *
 * @param failure null when the shard was committed; otherwise why the shard failed (the shard is named)
 * @param skipped true when the shard was already complete and nothing was done
 */
public record ShardResult(
        String shard,
        long images,
        long rows,
        long rejects,
        long dataBytes,
        double seconds,
        String failure,
        boolean skipped)
        implements Serializable {

    static ShardResult committed(ShardCommit c, boolean skipped) {
        return new ShardResult(c.shard(), c.images(), c.rows(), c.rejects(), c.dataBytes(), c.seconds(), null, skipped);
    }

    static ShardResult failed(String shard, String failure) {
        return new ShardResult(shard, 0, 0, 0, 0, 0, failure, false);
    }

    public boolean ok() {
        return failure == null;
    }
}
