package io.distillery.shards;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Collects the members of one webdataset sample: the image ({@code jpg|jpeg|png|webp}, the first one wins), the label
 * ({@code .cls}, a decimal integer) and the caption ({@code .txt}, or else the {@code caption} field of {@code .json}).
 * For text input ({@link Modality#TEXT}) the caption is the sample: images are neither read nor required, the
 * {@code .json} may hold it as {@code caption} or {@code text}, and a sample without one is returned for the
 * extractor to reject.
 */
final class WebDatasetSample {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String shardUri;
    private final String tarName;
    private final String key;
    private final boolean text;
    private byte[] image;
    private String imageName;
    private byte[] cls;
    private byte[] txt;
    private byte[] json;
    /** Extensions of the members added so far, in order (a repeat starts a new copy of the sample). */
    private final java.util.List<String> extensions = new java.util.ArrayList<>();

    private String firstMember;

    WebDatasetSample(String shardUri, String tarName, String key, Modality modality) {
        this.shardUri = shardUri;
        this.tarName = tarName;
        this.key = key;
        this.text = modality == Modality.TEXT;
    }

    /** Whether members with this extension are used, so their content must be read. */
    static boolean uses(WebDatasetName name, Modality modality) {
        return (name.isImage() && modality == Modality.IMAGE)
                || switch (name.extension()) {
                    case "cls", "txt", "json" -> true;
                    default -> false;
                };
    }

    /** Whether this sample already has a member with {@code name}'s extension. */
    boolean has(WebDatasetName name) {
        return extensions.contains(name.extension());
    }

    /** Adds a member of this sample; {@code content} may be null for members that are not {@link #uses used}. */
    void add(WebDatasetName name, String memberPath, byte[] content) {
        extensions.add(name.extension());
        if (firstMember == null) {
            firstMember = tarName + "/" + memberPath;
        }
        if (name.isImage()) {
            if (image == null) {
                image = content;
                imageName = tarName + "/" + memberPath;
            }
            return;
        }
        switch (name.extension()) {
            case "cls" -> cls = cls == null ? content : cls;
            case "txt" -> txt = txt == null ? content : txt;
            case "json" -> json = json == null ? content : json;
            default -> {}
        }
    }

    /** The sample; one without an image member is returned as a {@link SampleProblem#NO_IMAGE} reject. */
    RawSample toRawSample() {
        if (text) {
            String source = txt != null
                    ? tarName + "/" + key + ".txt"
                    : json != null ? tarName + "/" + key + ".json" : firstMember;
            return new RawSample(key, null, source, label(), caption());
        }
        if (image == null) {
            return RawSample.rejected(
                    key,
                    firstMember,
                    SampleProblem.NO_IMAGE,
                    "sample '" + key + "' has no image member (.jpg/.jpeg/.png/.webp), only ."
                            + String.join(", .", extensions));
        }
        return new RawSample(key, image, imageName, label(), caption());
    }

    private Integer label() {
        if (cls == null) {
            return null;
        }
        String text = utf8(cls);
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new ShardCorruptException(
                    shardUri + ": sample '" + key + "' has a non-integer .cls '" + text + "'", e);
        }
    }

    private String caption() {
        if (txt != null) {
            return utf8(txt);
        }
        if (json == null) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(json);
            JsonNode caption = node.path("caption");
            if (text && !(caption.isValueNode() && !caption.isNull())) {
                caption = node.path("text");
            }
            return caption.isValueNode() && !caption.isNull() ? caption.asText() : null;
        } catch (JsonProcessingException e) {
            throw new ShardCorruptException(
                    shardUri + ": sample '" + key + "' has a malformed .json: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalStateException("reading JSON from memory", e);
        }
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8).strip();
    }
}
