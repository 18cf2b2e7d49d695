package io.distillery.shards;

/** A shard that cannot be read to its end (e.g. a truncated tar); the message names the shard. */
public class ShardCorruptException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ShardCorruptException(String message, Throwable cause) {
        super(message, cause);
    }
}
