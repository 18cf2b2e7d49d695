package io.distillery.shards;

/** A sample as stored: encoded image bytes plus what came with it. */
public record RawSample(String key, byte[] image, String imageName, Integer label, String caption) {
}
