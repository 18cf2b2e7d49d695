package io.distillery.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CLIP's byte-pair encoding of one pre-token: its byte-level characters, the last one marked with {@code </w>}, are
 * merged pair by pair, always the pair of lowest merge rank first (all its occurrences, left to right) until no
 * ranked pair is left. Results are cached per pre-token; the cache is bounded (emptied when full), and shared
 * safely between threads, since a result never changes.
 */
final class ClipBpe {

    static final String END_OF_WORD = "</w>";
    static final int DEFAULT_CACHE_LIMIT = 1 << 16;

    private final Map<String, Integer> ranks; // "first second" -> rank
    private final Map<String, Integer> vocab;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();
    private final int cacheLimit;

    /** Every merge's symbols and result must be in {@code vocab}; the caller checks that, to name the file. */
    ClipBpe(Map<String, Integer> ranks, Map<String, Integer> vocab, int cacheLimit) {
        this.ranks = Map.copyOf(ranks);
        this.vocab = Map.copyOf(vocab);
        this.cacheLimit = cacheLimit;
    }

    /** The ids of the byte-level {@code token} (not empty). */
    int[] encode(String token) {
        int[] ids = cache.get(token);
        if (ids == null) {
            ids = merge(token);
            if (cache.size() >= cacheLimit) {
                cache.clear();
            }
            cache.put(token, ids);
        }
        return ids;
    }

    private int[] merge(String token) {
        List<String> word = new ArrayList<>(token.length());
        for (int i = 0; i < token.length() - 1; i++) {
            word.add(String.valueOf(token.charAt(i)));
        }
        word.add(token.charAt(token.length() - 1) + END_OF_WORD);
        while (word.size() > 1) {
            int best = Integer.MAX_VALUE;
            int at = -1;
            for (int k = 0; k + 1 < word.size(); k++) {
                Integer rank = ranks.get(word.get(k) + ' ' + word.get(k + 1));
                if (rank != null && rank < best) {
                    best = rank;
                    at = k;
                }
            }
            if (at < 0) {
                break;
            }
            String first = word.get(at);
            String second = word.get(at + 1);
            List<String> merged = new ArrayList<>(word.size() - 1);
            for (int k = 0; k < word.size(); k++) {
                if (k + 1 < word.size()
                        && word.get(k).equals(first)
                        && word.get(k + 1).equals(second)) {
                    merged.add(first + second);
                    k++;
                } else {
                    merged.add(word.get(k));
                }
            }
            word = merged;
        }
        int[] ids = new int[word.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = vocab.get(word.get(i));
        }
        return ids;
    }
}
