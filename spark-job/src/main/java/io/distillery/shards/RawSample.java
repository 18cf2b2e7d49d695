package io.distillery.shards;

/**
 * A sample as stored: the still encoded image and what came with it, or a sample the reader already knows is
 * unusable ({@link #problem()} set, {@link #image()} null), which the extract job counts as a reject.
 *
 * @param key       the sample's key (webdataset key, relative path, Parquet key column)
 * @param imageName where the image came from, for messages, e.g. {@code 00017.tar/000123.jpg}; for text input
 *                  where the text came from, e.g. {@code notes.txt:17}
 * @param label     class index, or null
 * @param caption   or null; for text input ({@link Modality#TEXT}, {@link #image()} null) the text itself
 * @param problem   null for a usable sample
 * @param problemMessage what is wrong, when {@code problem} is set
 */
public record RawSample(
        String key,
        byte[] image,
        String imageName,
        Integer label,
        String caption,
        SampleProblem problem,
        String problemMessage) {

    public RawSample(String key, byte[] image, String imageName, Integer label, String caption) {
        this(key, image, imageName, label, caption, null, null);
    }

    /** A sample that cannot be used; {@code source} names where it was read (member or row). */
    public static RawSample rejected(String key, String source, SampleProblem problem, String message) {
        return new RawSample(key, null, source, null, null, problem, message);
    }

    /** Shows the image size rather than the array's identity. */
    @Override
    public String toString() {
        return "RawSample[key=" + key + ", image=" + (image == null ? "none" : image.length + " bytes") + ", imageName="
                + imageName + ", label=" + label + ", caption=" + caption
                + (problem == null ? "" : ", problem=" + problem + " (" + problemMessage + ")") + "]";
    }
}
