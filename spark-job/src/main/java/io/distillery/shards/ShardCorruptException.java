package io.distillery.shards;

/**
 * A shard whose content is damaged (truncated or corrupt tar, undecodable Parquet page, malformed sample); the message
 * names the shard's file and what is wrong. Retrying does not help, unlike an {@link java.io.UncheckedIOException}
 * from the filesystem.
 */
public class ShardCorruptException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ShardCorruptException(String message) {
        super(message);
    }

    public ShardCorruptException(String message, Throwable cause) {
        super(message, cause);
    }
}
