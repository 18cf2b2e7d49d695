package io.distillery.shards;

/**
 * A sample as stored: the still encoded image and what came with it.
 *
 * @param key       unique within its shard
 * @param imageName where the image came from, for messages, e.g. {@code 00017.tar/000123.jpg}
 * @param label     class index, or null
 * @param caption   or null
 */
public record RawSample(String key, byte[] image, String imageName, Integer label, String caption) {
    /** Shows the image size rather than the array's identity. */
    @Override
    public String toString() {
        return "RawSample[key=" + key + ", image=" + image.length + " bytes, imageName=" + imageName + ", label=" + label
                + ", caption=" + caption + "]";
    }
}
