package io.distillery.masking;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * The seed of one mask's random stream: the first 8 bytes (big-endian) of SHA-256 over the UTF-8 of {@code "mask\0"
 * + runSeed + "\0" + sampleKey + "\0" + view + "\0" + clone} (numbers in decimal). The {@code mask} prefix keeps
 * these streams apart from the view sampler's ({@code io.distillery.image.ViewSampler}, which hashes the same run
 * seed, key and view without it). SHA-256 rather than a hash mix of Java's: stable across JVMs and releases.
 */
public final class MaskSeeds {
    private MaskSeeds() {}

    public static long seed(long runSeed, String sampleKey, int view, int clone) {
        return digest("mask", runSeed, sampleKey, view, clone);
    }

    /**
     * The seed of one clone's mask-token noise (the N(0, std) fills the decoder sees at masked positions): the same
     * derivation under the prefix {@code mask-noise}, so the noise is as reproducible as the mask and independent
     * of it.
     */
    public static long noiseSeed(long runSeed, String sampleKey, int view, int clone) {
        return digest("mask-noise", runSeed, sampleKey, view, clone);
    }

    private static long digest(String prefix, long runSeed, String sampleKey, int view, int clone) {
        Objects.requireNonNull(sampleKey, "sampleKey");
        String text = prefix + "\0" + runSeed + "\0" + sampleKey + "\0" + view + "\0" + clone;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest, 0, 8).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
