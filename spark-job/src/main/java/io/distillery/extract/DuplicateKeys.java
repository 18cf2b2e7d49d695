package io.distillery.extract;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds keys committed by two shards before a dataset is marked complete. Each commit record carries its shard's
 * sorted key digests; digests shared by two shards are confirmed on the keys in their data files (a 64-bit digest
 * may collide), so a reported duplicate is always a real key.
 */
final class DuplicateKeys {
    /** Reads the keys in a committed shard's data file (records written before digests existed, confirmation). */
    @FunctionalInterface
    interface KeyReader {
        List<String> keys(String shard) throws IOException;
    }

    /**
     * Keys found in two shards.
     *
     * @param key    one of the shared keys (the smallest)
     * @param first  the shard earlier in {@code records}' order, whose copy is kept
     * @param later  the other shard
     * @param count  how many keys the two shards share
     */
    record Duplicate(String key, String first, String later, int count) {}

    private DuplicateKeys() {}

    /** @param records commit records in plan order */
    static List<Duplicate> find(List<ShardCommit> records, KeyReader reader) throws IOException {
        List<long[]> digests = new ArrayList<>(records.size());
        int total = 0;
        for (ShardCommit r : records) {
            long[] d = r.keyDigests() != null ? KeyDigests.decode(r.keyDigests()) : digestsOf(reader.keys(r.shard()));
            digests.add(d);
            total += d.length;
        }
        long[] all = new long[total];
        int at = 0;
        for (long[] d : digests) {
            System.arraycopy(d, 0, all, at, d.length);
            at += d.length;
        }
        Arrays.sort(all);
        Set<Long> shared = new HashSet<>();
        for (int i = 1; i < all.length; i++) {
            if (all[i] == all[i - 1]) {
                shared.add(all[i]);
            }
        }
        // shard pairs that share at least one digest, each confirmed once on the keys themselves
        Map<List<Integer>, Set<Long>> pairs = new LinkedHashMap<>();
        for (long digest : shared) {
            int first = -1;
            for (int s = 0; s < digests.size(); s++) {
                if (Arrays.binarySearch(digests.get(s), digest) >= 0) {
                    if (first < 0) {
                        first = s;
                    } else {
                        pairs.computeIfAbsent(List.of(first, s), p -> new HashSet<>())
                                .add(digest);
                    }
                }
            }
        }
        List<Duplicate> out = new ArrayList<>();
        for (Map.Entry<List<Integer>, Set<Long>> pair : pairs.entrySet()) {
            String a = records.get(pair.getKey().get(0)).shard();
            String b = records.get(pair.getKey().get(1)).shard();
            Set<String> common = candidates(reader.keys(a), pair.getValue());
            common.retainAll(candidates(reader.keys(b), pair.getValue()));
            if (!common.isEmpty()) {
                out.add(new Duplicate(common.iterator().next(), a, b, common.size()));
            }
        }
        return out;
    }

    private static long[] digestsOf(List<String> keys) {
        KeyDigests d = new KeyDigests();
        keys.stream().distinct().forEach(d::add); // a data file holds each key once per view
        return KeyDigests.decode(d.encode());
    }

    private static Set<String> candidates(List<String> keys, Set<Long> digests) {
        Set<String> out = new TreeSet<>();
        for (String key : keys) {
            if (digests.contains(KeyDigests.of(key))) {
                out.add(key);
            }
        }
        return out;
    }
}
