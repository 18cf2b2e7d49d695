package io.distillery.extract;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * 64-bit digests of the keys a shard committed, stored sorted (base64) in its commit record, so the driver can find
 * keys present in two shards without reading the data files; a shared digest is confirmed on the keys themselves.
 */
final class KeyDigests {
    private long[] digests = new long[64];
    private int size;

    void add(String key) {
        if (size == digests.length) {
            digests = Arrays.copyOf(digests, size * 2);
        }
        digests[size++] = of(key);
    }

    /** Sorted, 8 bytes each, base64. */
    String encode() {
        long[] sorted = Arrays.copyOf(digests, size);
        Arrays.sort(sorted);
        ByteBuffer bytes = ByteBuffer.allocate(8 * sorted.length);
        for (long d : sorted) {
            bytes.putLong(d);
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    static long[] decode(String encoded) {
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(encoded));
        long[] out = new long[bytes.remaining() / 8];
        for (int i = 0; i < out.length; i++) {
            out[i] = bytes.getLong();
        }
        return out;
    }

    /** The first 8 bytes of the key's SHA-256. */
    static long of(String key) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(sha, 0, 8).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
