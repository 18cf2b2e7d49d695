package io.distillery.shards;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Shard ids: readable, file-name safe ({@code [A-Za-z0-9._-]}) and unique within a dataset. */
final class ShardIds {
    private ShardIds() {}

    /** {@code train/00017.tar} gives {@code train_00017}: the extension goes, other unsafe characters become '_'. */
    static String ofFile(String relativePath) {
        return withoutExtension(relativePath).replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** {@code a/b.c.jpg} gives {@code a/b.c}; a name starting with its only dot keeps it. */
    static String withoutExtension(String relativePath) {
        int dot = relativePath.lastIndexOf('.');
        return dot > relativePath.lastIndexOf('/') + 1 ? relativePath.substring(0, dot) : relativePath;
    }

    /** {@code index} zero-padded to the width of {@code count - 1}, at least {@code minWidth} digits, so ids sort. */
    static String padded(int index, int count, int minWidth) {
        int width = Math.max(minWidth, Integer.toString(Math.max(0, count - 1)).length());
        return String.format(java.util.Locale.ROOT, "%0" + width + "d", index);
    }

    /** Fails when two shards map to one id (e.g. {@code a b.tar} and {@code a_b.tar}): their outputs would collide. */
    static void requireUnique(List<Shard> shards) {
        Map<String, Shard> byId = new HashMap<>();
        for (Shard shard : shards) {
            Shard other = byId.putIfAbsent(shard.id(), shard);
            if (other != null) {
                throw new IllegalArgumentException("input files " + other.uri() + " and " + shard.uri()
                        + " both give shard id '" + shard.id() + "'; rename one of them");
            }
        }
    }
}
