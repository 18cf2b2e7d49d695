package io.distillery.extract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cross-shard duplicates: found from the digests, confirmed on the keys, never reported for a digest collision. */
class DuplicateKeysTest {

    private static ShardCommit record(String shard, String digests) {
        return new ShardCommit(shard, 0, 0, 0, 0, 0, digests);
    }

    private static String digests(String... keys) {
        KeyDigests d = new KeyDigests();
        for (String key : keys) {
            d.add(key);
        }
        return d.encode();
    }

    @Test
    void aKeyInTwoShardsIsReportedOncePerPairWithItsCount() throws Exception {
        Map<String, List<String>> keys =
                Map.of("s0", List.of("a", "b", "c"), "s1", List.of("d", "b", "c"), "s2", List.of("e"));
        List<DuplicateKeys.Duplicate> found = DuplicateKeys.find(
                List.of(
                        record("s0", digests("a", "b", "c")),
                        record("s1", digests("d", "b", "c")),
                        record("s2", digests("e"))),
                keys::get);
        assertThat(found).containsExactly(new DuplicateKeys.Duplicate("b", "s0", "s1", 2));
    }

    @Test
    void sharedDigestsOfDifferentKeysAreNotDuplicates() throws Exception {
        // s1's record claims the digest of "a" (as a 64-bit collision would), but its data holds "z"
        Map<String, List<String>> keys = Map.of("s0", List.of("a"), "s1", List.of("z"));
        assertThat(DuplicateKeys.find(List.of(record("s0", digests("a")), record("s1", digests("a"))), keys::get))
                .isEmpty();
    }

    @Test
    void recordsWithoutDigestsAreCheckedFromTheirDataFiles() throws Exception {
        // records written before digests existed: the data files' keys (one per view) are read instead
        Map<String, List<String>> keys = Map.of("old", List.of("k", "k", "m", "m"), "new", List.of("m"));
        assertThat(DuplicateKeys.find(List.of(record("old", null), record("new", digests("m"))), keys::get))
                .containsExactly(new DuplicateKeys.Duplicate("m", "old", "new", 1));
        assertThat(DuplicateKeys.find(List.of(record("old", null)), keys::get))
                .as("views of one key")
                .isEmpty();
    }
}
